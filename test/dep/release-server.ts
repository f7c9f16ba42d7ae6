// A local stand-in for GitHub releases: serves files at <owner>/<name>/releases/download/<tag>/
// <asset> like github.com does, so a test points dep.mirror at it. The archives are real: the
// test builds them with the system tar and zip.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { TestContext } from 'node:test';

const run = promisify(execFile);

/** A served file and its sha256. */
export interface Served {
  path: string;
  sha256: string;
  bytes: number;
}

/** A running release server: its base URL, what it serves, and how many requests it had. */
export interface ReleaseServer {
  base: string;
  requests: string[];
  add(path: string, content: Buffer): Served;
}

/** Starts the server; the test's `after` closes it. */
export async function startReleaseServer(t: TestContext): Promise<ReleaseServer> {
  const files = new Map<string, Buffer>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    requests.push(path);
    const body = files.get(path);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    // Sent in pieces, like a real download, so progress sees more than one chunk.
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
    const step = Math.max(1, Math.ceil(body.length / 4));
    for (let i = 0; i < body.length; i += step) res.write(body.subarray(i, i + step));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    requests,
    add(path, content) {
      files.set(path, content);
      return { path, sha256: createHash('sha256').update(content).digest('hex'), bytes: content.length };
    },
  };
}

/** A shell script that prints `says` and its arguments: the "binary" inside the archives. */
export function tool(says: string): string {
  return `#!/bin/sh\necho "${says} $*"\n`;
}

/** Builds an archive ('tar.gz' or 'zip') of `files` (relative path → content, all mode 755). */
export async function buildArchive(t: TestContext, kind: 'tar.gz' | 'zip', files: Record<string, string>): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-dep-archive-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), content);
    await chmod(join(root, rel), 0o755);
  }
  const out = join(dir, `archive.${kind}`);
  if (kind === 'tar.gz') await run('tar', ['-czf', out, '-C', root, '.']);
  else await run('zip', ['-q', '-r', out, '.'], { cwd: root });
  return readFile(out);
}
