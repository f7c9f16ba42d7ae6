// The url and github-release sources against a local release server: real .tar.gz and .zip
// archives, the mirror setting, checksum mismatches and 404s (which leave nothing installed),
// then verify and prune on what was installed.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DepError, downloadUrl, ensureDeps, listInstalled, pruneInstalled, readManifest, verifyInstalled } from '../../src/dep/index.ts';
import type { DepEntry, DepProgress } from '../../src/dep/index.ts';
import { buildArchive, startReleaseServer, tool } from './release-server.ts';

const run = promisify(execFile);

async function tempProject(t: TestContext): Promise<{ projectDir: string; depDir: string }> {
  const projectDir = await mkdtemp(join(tmpdir(), 'nestor-dep-dl-'));
  t.after(() => rm(projectDir, { recursive: true, force: true }));
  return { projectDir, depDir: join(projectDir, '.dep') };
}

/** Everything under .dep except the manifest: what an install left on disk. */
async function depFiles(depDir: string): Promise<string[]> {
  const entries = await readdir(depDir, { recursive: true }).catch(() => [] as string[]);
  return entries.map(String).filter((e) => e !== 'manifest.json').sort();
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const failsWith = (reason: DepError['reason'], ...patterns: RegExp[]) => (err: unknown) =>
  err instanceof DepError && err.reason === reason && patterns.every((p) => p.test(err.message));

test('without a mirror, release downloads come from github.com in the release layout', () => {
  const entry: DepEntry = { name: 'redis', source: 'github-release', repo: 'acme/redis', version: '7.2.4', asset: 'redis-7.2.4-linux-amd64.tar.gz', sha256: 'a'.repeat(64) };
  assert.equal(downloadUrl(entry), 'https://github.com/acme/redis/releases/download/7.2.4/redis-7.2.4-linux-amd64.tar.gz');
  assert.equal(downloadUrl(entry, 'https://mirror.example/gh/'), 'https://mirror.example/gh/acme/redis/releases/download/7.2.4/redis-7.2.4-linux-amd64.tar.gz');
  const url: DepEntry = { name: 'x', source: 'url', url: 'https://github.com/acme/x/releases/download/v1/x.zip', sha256: 'a'.repeat(64) };
  assert.equal(downloadUrl(url, 'http://127.0.0.1:9'), 'http://127.0.0.1:9/acme/x/releases/download/v1/x.zip');
  assert.equal(downloadUrl({ ...url, url: 'https://example.com/x.zip' }, 'http://127.0.0.1:9'), 'https://example.com/x.zip', 'only github.com URLs go to the mirror');
});

test('a github-release .tar.gz through the mirror: downloaded with progress, unpacked, linked, recorded; then fresh', async (t) => {
  const server = await startReleaseServer(t);
  const { projectDir, depDir } = await tempProject(t);
  const archive = await buildArchive(t, 'tar.gz', { 'tool-1.2.3/bin/tool': tool('tool 1.2.3 says'), 'tool-1.2.3/README': 'docs\n' });
  const served = server.add('/acme/tool/releases/download/v1.2.3/tool-1.2.3-linux-amd64.tar.gz', archive);
  const entry: DepEntry = { name: 'tool', version: 'v1.2.3', source: 'github-release', repo: 'acme/tool', asset: 'tool-1.2.3-linux-amd64.tar.gz', sha256: served.sha256 };
  const progress: DepProgress[] = [];

  const [result] = await ensureDeps([entry], { projectDir, mirror: server.base, onProgress: (p) => progress.push(p) });
  assert.equal(result?.action, 'installed');
  assert.equal(result?.path, join(depDir, 'bin', 'tool'));
  assert.equal((await run(join(depDir, 'bin', 'tool'), ['hello'])).stdout, 'tool 1.2.3 says hello\n');
  const downloads = progress.filter((p) => p.phase === 'downloading');
  assert.equal(downloads[0]?.detail, `${server.base}${served.path}`);
  assert.equal(downloads.at(-1)?.bytes, served.bytes);
  assert.equal(downloads.at(-1)?.total, served.bytes);
  assert.equal(progress.at(-1)?.phase, 'installed');

  const record = (await readManifest(depDir)).tool;
  assert.equal(record?.name, 'tool');
  assert.equal(record?.version, 'v1.2.3');
  assert.equal(record?.source, 'github-release');
  assert.equal(record?.path, 'bin/tool');
  assert.equal(record?.sha256, served.sha256);
  assert.match(record?.checksum ?? '', /^[0-9a-f]{64}$/);
  assert.match(record?.target ?? '', /^pkg\/tool@v1\.2\.3-[0-9a-f]{12}\/tool-1\.2\.3\/bin\/tool$/);

  const requests = server.requests.length;
  assert.equal((await ensureDeps([entry], { projectDir, mirror: server.base }))[0]?.action, 'fresh');
  assert.equal(server.requests.length, requests, 'a fresh dep downloads nothing');
  assert.deepEqual((await verifyInstalled(depDir)).map((v) => [v.name, v.status]), [['tool', 'ok']]);
  assert.deepEqual((await listInstalled(depDir)).map((d) => [d.name, d.version, d.source, d.path]), [['tool', 'v1.2.3', 'github-release', join(depDir, 'bin/tool')]]);
});

test('a url .zip: the binary is found by name inside; bin names it when it differs from the dep name', async (t) => {
  const server = await startReleaseServer(t);
  const { projectDir, depDir } = await tempProject(t);
  const archive = await buildArchive(t, 'zip', { 'dist/linux/zap-server': tool('zap'), 'dist/LICENSE': 'MIT\n' });
  const served = server.add('/downloads/zap-2.0.zip', archive);
  const [result] = await ensureDeps([{ name: 'zap', version: '2.0', source: 'url', url: `${server.base}${served.path}`, sha256: served.sha256, bin: 'zap-server' }], { projectDir });
  assert.equal(result?.path, join(depDir, 'bin', 'zap-server'));
  assert.equal((await run(result.path, ['ok'])).stdout, 'zap ok\n');
  assert.equal((await readManifest(depDir)).zap?.url, `${server.base}${served.path}`);
});

test('a checksum mismatch or a 404 fails with the URL (and both checksums) and leaves nothing installed', async (t) => {
  const server = await startReleaseServer(t);
  const { projectDir, depDir } = await tempProject(t);
  const archive = await buildArchive(t, 'tar.gz', { 'tool/tool': tool('tool') });
  const served = server.add('/acme/tool/releases/download/v1/tool.tar.gz', archive);
  const wrong = 'f'.repeat(64);
  const entry: DepEntry = { name: 'tool', version: 'v1', source: 'github-release', repo: 'acme/tool', asset: 'tool.tar.gz', sha256: wrong };
  const url = `${server.base}${served.path}`;

  await assert.rejects(ensureDeps([entry], { projectDir, mirror: server.base }), failsWith('checksum-mismatch', new RegExp(url), new RegExp(served.sha256), new RegExp(wrong)));
  assert.deepEqual(await depFiles(depDir), ['pkg'], 'no binary, no unpacked folder, no temp file');
  assert.equal((await readManifest(depDir)).tool, undefined);

  await assert.rejects(
    ensureDeps([{ ...entry, version: 'v2', sha256: served.sha256 }], { projectDir, mirror: server.base }),
    failsWith('download-failed', new RegExp(`${server.base}/acme/tool/releases/download/v2/tool.tar.gz: HTTP 404`)),
  );
  assert.deepEqual(await depFiles(depDir), ['pkg']);

  await assert.rejects(
    ensureDeps([{ ...entry, sha256: served.sha256, bin: 'other' }], { projectDir, mirror: server.base }),
    failsWith('missing-binary', /has no file named "other" \(it holds tool\/tool\)/),
  );
  assert.deepEqual(await depFiles(depDir), ['pkg']);

  // Nothing listens there any more: a refused connection is a download failure too.
  const closed = await closedPort();
  await assert.rejects(
    ensureDeps([{ ...entry, sha256: served.sha256 }], { projectDir, mirror: `http://127.0.0.1:${closed}` }),
    failsWith('download-failed', new RegExp(`127\\.0\\.0\\.1:${closed}/acme.*ECONNREFUSED`)),
  );
  assert.deepEqual(await depFiles(depDir), ['pkg']);
});

test('verify finds a changed or missing binary; prune removes deps the project dropped and left-overs', async (t) => {
  const server = await startReleaseServer(t);
  const { projectDir, depDir } = await tempProject(t);
  const a = server.add('/a.tar.gz', await buildArchive(t, 'tar.gz', { a: tool('a') }));
  const b = server.add('/b', Buffer.from(tool('b')));
  await ensureDeps(
    [
      { name: 'a', source: 'url', url: `${server.base}/a.tar.gz`, sha256: a.sha256 },
      { name: 'b', source: 'url', url: `${server.base}/b`, sha256: b.sha256 },
    ],
    { projectDir },
  );
  assert.equal((await run(join(depDir, 'bin/b'), ['bare'])).stdout, 'b bare\n', 'a file that is no archive is the binary itself');
  const target = join(depDir, (await readManifest(depDir)).a?.target ?? '');
  await writeFile(target, tool('tampered'));
  await chmod(target, 0o755);
  const verified = await verifyInstalled(depDir);
  assert.deepEqual(verified.map((v) => [v.name, v.status]), [['a', 'changed'], ['b', 'ok']]);

  await writeFile(join(depDir, 'pkg', '.stale.tmp'), 'left by a crash');
  const pruned = await pruneInstalled(depDir, new Set(['b']));
  assert.deepEqual(pruned.records, ['a']);
  assert.ok(pruned.files.includes('bin/a') && pruned.files.includes('pkg/.stale.tmp'), JSON.stringify(pruned.files));
  assert.deepEqual(Object.keys(await readManifest(depDir)), ['b']);
  assert.deepEqual((await verifyInstalled(depDir)).map((v) => [v.name, v.status]), [['b', 'ok']]);
  assert.deepEqual(await readdir(join(depDir, 'bin')), ['b']);
  assert.equal((await readFile(join(depDir, 'bin/b'), 'utf8')), tool('b'));
});

test('path: links a binary already on the machine, and names it when it is missing', async (t) => {
  const { projectDir, depDir } = await tempProject(t);
  const [sh] = await ensureDeps([{ name: 'sh', source: 'path' }], { projectDir });
  assert.equal(sh?.action, 'installed');
  assert.equal((await run(join(depDir, 'bin/sh'), ['-c', 'echo linked'])).stdout, 'linked\n');
  assert.equal((await ensureDeps([{ name: 'sh', source: 'path' }], { projectDir }))[0]?.action, 'fresh');
  await assert.rejects(ensureDeps([{ name: 'nope', source: 'path', bin: 'nestor-no-such-binary' }], { projectDir }), failsWith('missing-binary', /"nestor-no-such-binary" is not on this machine/));
});

test('apt without root fails with the exact command to run', async (t) => {
  const { projectDir, depDir } = await tempProject(t);
  await assert.rejects(
    ensureDeps([{ name: 'ghost', source: 'apt', package: 'nestor-no-such-package' }], { projectDir, isRoot: false }),
    failsWith('needs-root', /the Debian package nestor-no-such-package is not installed .*; run: sudo apt-get install -y nestor-no-such-package$/),
  );
  assert.deepEqual(await depFiles(depDir), []);
});

test('two deps behind one .dep/bin name are refused before anything is installed', async (t) => {
  const { projectDir, depDir } = await tempProject(t);
  await assert.rejects(
    ensureDeps([{ name: 'sh', source: 'path' }, { name: 'other-sh', source: 'path', bin: '/bin/sh' }], { projectDir }),
    failsWith('invalid-entry', /\.dep\/bin\/sh is also dep "sh"'s/),
  );
  assert.deepEqual(await depFiles(depDir), []);
});
