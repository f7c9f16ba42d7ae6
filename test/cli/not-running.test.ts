// What the verbs say when there is nothing to talk to: one plain sentence, exit 1, no stack
// trace; and that looking for an instance writes nothing into the folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createHarness, runCli } from '../../src/harness/index.ts';
import { allocatePort } from '../../src/process/index.ts';
import { STACK_TRACE, runMain } from './helpers.ts';

async function project(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'nestor.yaml'), 'services:\n  hello:\n    kind: oneshot\n    process: { command: "true" }\n');
  return dir;
}

const INSTANCE_VERBS = [['status'], ['status', 'hello'], ['list'], ['watch'], ['events'], ['events', '--follow'], ['info'], ['stop', 'hello'], ['restart', 'hello'], ['down']];

test('every verb that needs an instance says plainly that none is running (exit 1)', async (t) => {
  const dir = await project(t);
  const results = await Promise.all(INSTANCE_VERBS.map((args) => runMain(args, { cwd: dir })));
  for (const [i, res] of results.entries()) {
    const what = INSTANCE_VERBS[i]?.join(' ');
    assert.equal(res.code, 1, `${what}: ${res.stderr}`);
    assert.equal(res.stdout, '', what);
    assert.equal(res.stderr, `nestor: Nestor is not running in ${dir}; start it with \`nestor up\`\n`, what);
  }
  const logs = await runMain(['logs', 'hello'], { cwd: dir });
  assert.equal(logs.code, 1);
  // And as a shell sees it, from the real executable.
  const real = await runCli(['status'], { cwd: dir });
  assert.equal(real.code, 1);
  assert.equal(real.stderr, `nestor: Nestor is not running in ${dir}; start it with \`nestor up\`\n`);
  assert.equal(logs.stderr, `nestor: Nestor is not running in ${dir} and there is no log of "hello" in ${dir}/.data/logs; start it with \`nestor up\`\n`);
});

test('outside a project it says so, and creates nothing there', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-cli-empty-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const res = await runCli(['status'], { cwd: dir });
  assert.equal(res.code, 1);
  assert.equal(res.stderr, `nestor: Nestor is not running in ${dir} (there is no nestor.yaml, nestor.yml or nestor.json here); start it with \`nestor up\`\n`);
  assert.deepEqual(await readdir(dir), []);
});

test('a runtime info file left by a dead process is recognised as stale', async (t) => {
  const dir = await project(t);
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  const dead = child.pid as number;
  await mkdir(join(dir, '.data'), { recursive: true });
  const info = { node: 'gone', pid: dead, nats: 'nats://127.0.0.1:1', api: null, dataDir: join(dir, '.data'), startedAt: new Date().toISOString() };
  await writeFile(join(dir, '.data', 'runtime.json'), JSON.stringify(info));
  const res = await runCli(['status'], { cwd: dir });
  assert.equal(res.code, 1);
  assert.match(res.stderr, new RegExp(`Nestor is not running in ${dir} \\(pid ${dead} in .*runtime\\.json has exited without cleaning up\\); start it with`));
  assert.doesNotMatch(res.stderr, STACK_TRACE);
});

test('NESTOR_URL that nothing answers, or a bus without Nestor on it, fails with what to check', async (t) => {
  const dir = await project(t);
  const port = await allocatePort();
  const nobody = await runCli(['status'], { cwd: dir, env: { NESTOR_URL: `nats://127.0.0.1:${port}` } });
  assert.equal(nobody.code, 1);
  assert.match(nobody.stderr, new RegExp(`^nestor: Nestor is not reachable at nats://127\\.0\\.0\\.1:${port} \\(NESTOR_URL\\): .*; check the URL or unset NESTOR_URL\\n$`));

  await using h = await createHarness({ name: 'cli-other-stream' });
  const other = await runCli(['status'], { cwd: dir, env: { ...h.cliEnv(), NESTOR_EVENTS_STREAM: 'NOT_NESTOR' } });
  assert.equal(other.code, 1);
  assert.match(other.stderr, /there is no event stream NOT_NESTOR on nats:\/\/127\.0\.0\.1:\d+; is this the bus of a Nestor instance/);
  assert.equal(existsSync(join(dir, '.data', 'node-id')), false, 'a verb never writes a node id');
  const verbose = await runCli(['status', '--verbose'], { cwd: dir, env: { ...h.cliEnv(), NESTOR_EVENTS_STREAM: 'NOT_NESTOR' } });
  assert.match(verbose.stderr, /CliFailure: there is no event stream NOT_NESTOR/);
  assert.match(verbose.stderr, /caused by: /, '--verbose adds the cause');
});
