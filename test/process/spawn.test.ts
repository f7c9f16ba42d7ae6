import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { SpawnError, processStartTime, readProcStat, spawnService } from '../../src/process/index.ts';
import { LineWaiter, cleanupGroup, fixture, nodePlan, tempDir } from './support.ts';

test('a service runs in its own process group with exactly the plan env and cwd', async (t) => {
  const cwd = await tempDir(t);
  const lines = new LineWaiter();
  const proc = await spawnService(nodePlan([fixture('report.mjs')], { cwd, env: { PATH: '/usr/bin:/bin', ONLY_THIS: 'yes' } }), lines);
  cleanupGroup(t, proc);
  const report = JSON.parse(await lines.waitFor((l) => l.startsWith('{'))) as {
    cwd: string;
    env: Record<string, string>;
    pid: number;
    pgid: number;
  };
  assert.equal(report.pid, proc.pid);
  assert.equal(report.pgid, proc.pid, 'the service leads its own group');
  assert.equal(proc.pgid, proc.pid);
  assert.notEqual(readProcStat(process.pid)?.pgid, proc.pgid);
  assert.equal(report.cwd, cwd);
  assert.equal(report.env.ONLY_THIS, 'yes');
  assert.equal(report.env.HOME, undefined, 'nothing of the parent environment leaks in');
  assert.equal(proc.startTime, processStartTime(proc.pid));
  await lines.waitFor((l) => l === 'to stderr');
  assert.ok(lines.lines.some((l) => l.stream === 'stderr' && l.line === 'to stderr'));
  assert.ok(proc.isGroupAlive());
  const result = await proc.stop();
  assert.deepEqual(result, { killed: false });
  assert.deepEqual(await proc.exited, { code: null, signal: 'SIGTERM', stdioOpen: false });
});

test('arguments are passed verbatim, without a shell', async (t) => {
  const lines = new LineWaiter();
  const proc = await spawnService(nodePlan(['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', '$HOME', 'a b', '`x`;']), lines);
  cleanupGroup(t, proc);
  await proc.exited;
  assert.deepEqual(JSON.parse(lines.lines[0]?.line ?? 'null'), ['$HOME', 'a b', '`x`;']);
});

test('shell: true runs the command through /bin/sh', async (t) => {
  const lines = new LineWaiter();
  const proc = await spawnService(nodePlan([], { command: 'echo "$GREETING" | tr a-z A-Z', shell: true, env: { PATH: '/usr/bin:/bin', GREETING: 'hi' } }), lines);
  cleanupGroup(t, proc);
  assert.equal((await proc.exited).code, 0);
  assert.equal(lines.lines[0]?.line, 'HI');
});

test('exit code and killing signal are reported', async (t) => {
  const coded = await spawnService(nodePlan([fixture('report.mjs'), '7']));
  cleanupGroup(t, coded);
  assert.deepEqual(await coded.exited, { code: 7, signal: null, stdioOpen: false });
  const killed = await spawnService(nodePlan([fixture('report.mjs'), 'signal']));
  cleanupGroup(t, killed);
  assert.deepEqual(await killed.exited, { code: null, signal: 'SIGKILL', stdioOpen: false });
});

test('a missing command rejects with SpawnError naming command, cwd and reason', async () => {
  const cwd = process.cwd();
  await assert.rejects(spawnService(nodePlan([], { command: 'nestor-no-such-command-xyz' })), (err: unknown) => {
    assert.ok(err instanceof SpawnError);
    assert.equal(err.code, 'ENOENT');
    assert.equal(err.command, 'nestor-no-such-command-xyz');
    assert.equal(err.cwd, cwd);
    assert.match(err.message, /nestor-no-such-command-xyz/);
    assert.match(err.reason, /command not found on PATH/);
    assert.match(err.message, /not found on PATH \(\d+ director(y|ies) searched; `nestor status \S+ --verbose` lists them\)/);
    return true;
  });
  await assert.rejects(spawnService(nodePlan([], { command: '/nonexistent/bin/tool' })), { name: 'SpawnError', code: 'ENOENT' });
});

test('a command missing from a long PATH gets a short message; the PATH is kept in searchPath', async () => {
  const path = Array.from({ length: 40 }, (_, i) => `/opt/nestor-test/some/rather/long/directory/number-${i}/bin`).join(':');
  await assert.rejects(spawnService(nodePlan([], { command: 'no-such-binary-xyz', service: 'ghost', env: { PATH: path } })), (err: unknown) => {
    assert.ok(err instanceof SpawnError);
    assert.ok(path.length > 1000);
    assert.ok(err.message.length < 200, `${err.message.length} characters: ${err.message}`);
    assert.equal(err.message, 'cannot start "no-such-binary-xyz": not found on PATH (40 directories searched; `nestor status ghost --verbose` lists them)');
    assert.equal(err.searchPath, path);
    return true;
  });
  await assert.rejects(spawnService(nodePlan([], { command: 'no-such-binary-xyz', env: { PATH: '' } })), /not found, PATH is empty/);
});

test('a missing working directory and a non-executable file are SpawnErrors with their own reason', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(spawnService(nodePlan([], { cwd: join(dir, 'missing') })), (err: unknown) => {
    assert.ok(err instanceof SpawnError);
    assert.match(err.reason, /working directory/);
    return true;
  });
  const script = join(dir, 'not-executable.sh');
  await writeFile(script, '#!/bin/sh\necho hi\n');
  await chmod(script, 0o644);
  // root may execute anything with an x bit, but nobody may execute a file without one.
  await assert.rejects(spawnService(nodePlan([], { command: script })), { name: 'SpawnError', code: 'EACCES' });
});

test('exited reports a leader exit even while a surviving grandchild holds its stdout', async (t) => {
  const lines = new LineWaiter();
  const proc = await spawnService(nodePlan([fixture('orphan-holder.mjs')]), lines, { stdioGraceMs: 100 });
  cleanupGroup(t, proc);
  assert.deepEqual(await proc.exited, { code: 0, signal: null, stdioOpen: true });
  assert.ok(proc.isGroupAlive(), 'the grandchild is still in the group');
  assert.deepEqual(await proc.stop('SIGTERM', 2000), { killed: false });
  assert.equal(proc.isGroupAlive(), false);
});
