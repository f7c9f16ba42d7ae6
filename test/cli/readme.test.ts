// The README's two commands as a new user meets them. `npm ci` is what CI runs (.ci/run); here
// the README must show exactly those commands, `npm start` must be `nestor up` on the root
// nestor.yaml, and that file must bring the demo stack up and down in a fresh copy of the
// project (tracked and new files, no .data/.dep; node_modules linked, as `npm ci` would make it)
// with its ports made random so a developer's own stack on 7101/7102 is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { readRuntimeInfo } from '../../src/config/index.ts';
import { runCli } from '../../src/harness/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import { isProcessAlive } from '../../src/process/index.ts';
import { PROJECT_DIR, copyCheckout } from './helpers.ts';

const exec = promisify(execFile);

test('the README shows the commands CI runs, and npm start is nestor up on nestor.yaml', async () => {
  const readme = await readFile(join(PROJECT_DIR, 'README.md'), 'utf8');
  const ci = await readFile(join(PROJECT_DIR, '.ci/run'), 'utf8');
  const pkg = JSON.parse(await readFile(join(PROJECT_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
  const blocks = [...readme.matchAll(/```sh\n([^`]*?)\n```/g)].map((m) => m[1]);
  assert.ok(blocks.includes('npm ci && npm start'), 'README shows `npm ci && npm start`');
  assert.ok(blocks.includes('npm ci && npm test'), 'README shows `npm ci && npm test`');
  assert.match(ci, /^npm ci && npm test$/m, '.ci/run runs the README test command');
  assert.equal(pkg.scripts.start, 'node scripts/preflight.mjs && node bin/nestor.js up');
  assert.equal(pkg.bin.nestor, 'bin/nestor.js');
  assert.ok(existsSync(join(PROJECT_DIR, 'nestor.yaml')), 'nestor up finds nestor.yaml in the project folder');
});

test('the root nestor.yaml comes up detached in a fresh copy of the project and goes down cleanly', async (t) => {
  const copy = await freshCopy();
  t.after(async () => {
    const info = await readRuntimeInfo(join(copy, '.data')).catch(() => null);
    if (info !== null && (await isProcessAlive(info.pid))) await runCli(['down', '--force'], { cwd: copy });
    await rm(copy, { recursive: true, force: true });
  });
  const root = parse(await readFile(join(copy, 'nestor.yaml'), 'utf8')) as { services: Record<string, Record<string, unknown>> };
  for (const entry of Object.values(root.services)) Object.assign(entry, { portStrategy: 'random', ports: { primary: { protocol: 'http' } } });
  await writeFile(join(copy, 'nestor.yaml'), stringify(root));

  await exec(process.execPath, ['scripts/preflight.mjs'], { cwd: copy });
  const up = await runCli(['up', '--detach'], { cwd: copy, timeoutMs: 120_000 });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stderr, /alpha\s+pending → starting/);
  const status = (await runCli(['status', '--json'], { cwd: copy })).json<StatusJson>();
  assert.deepEqual(status.services.map((s) => [s.id, s.state]), [
    ['alpha', 'ready'],
    ['beta', 'ready'],
    // The demo job is in the jobs profile: registered, not started by a plain `up`.
    ['gamma', 'disabled'],
  ]);
  assert.ok(existsSync(join(copy, '.dep', 'bin', 'alpha')), 'the demos were built into the copy’s .dep');
  const beta = status.services.find((s) => s.id === 'beta');
  const page = await (await fetch(`http://127.0.0.1:${beta?.ports.primary}/api/info`)).json() as { alpha: { name: string } | null };
  assert.equal(page.alpha?.name, 'alpha', 'beta reaches alpha on its random port');

  const down = await runCli(['down'], { cwd: copy });
  assert.equal(down.code, 0, down.stderr);
  for (const s of status.services) assert.equal(await isProcessAlive(s.pid as number), false, `${s.id} (pid ${s.pid}) is gone`);
});

async function freshCopy(): Promise<string> {
  return copyCheckout(await mkdtemp(join(tmpdir(), 'nestor-clone-')));
}
