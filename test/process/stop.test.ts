import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGroupAlive, killGroup, listGroupPids, readProcStat, spawnService, waitGroupGone } from '../../src/process/index.ts';
import { LineWaiter, cleanupGroup, fixture, nodePlan } from './support.ts';

/** A process is gone when /proc no longer lists it or only its zombie remains (the container init may not reap orphans). */
function gone(pid: number): boolean {
  const st = readProcStat(pid);
  return st === null || st.state === 'Z';
}

test('stop SIGKILLs a child and grandchild that ignore SIGTERM, and nothing of the group remains', async (t) => {
  const lines = new LineWaiter();
  const proc = await spawnService(nodePlan([fixture('ignore-term.mjs')]), lines);
  cleanupGroup(t, proc);
  const parent = JSON.parse(await lines.waitFor((l) => l.includes('"parent"'))) as { pid: number };
  const grandchild = JSON.parse(await lines.waitFor((l) => l.includes('"grandchild"'))) as { pid: number };
  assert.equal(parent.pid, proc.pid);
  assert.deepEqual(listGroupPids(proc.pgid), [proc.pid, grandchild.pid].sort((a, b) => a - b));

  const result = await proc.stop('SIGTERM', 200);
  assert.deepEqual(result, { killed: true });
  assert.deepEqual(listGroupPids(proc.pgid), []);
  assert.ok(gone(proc.pid));
  assert.ok(gone(grandchild.pid));
  assert.equal(proc.isGroupAlive(), false);
  assert.deepEqual(await proc.exited, { code: null, signal: 'SIGKILL', stdioOpen: false });
});

test('stop of a process that honours SIGTERM does not escalate', async (t) => {
  const proc = await spawnService(nodePlan(['-e', 'setInterval(() => {}, 1000)']));
  cleanupGroup(t, proc);
  assert.deepEqual(await proc.stop('SIGTERM', 10_000), { killed: false });
  assert.equal((await proc.exited).signal, 'SIGTERM');
});

test('stop honours a custom signal and is harmless once the group is gone', async (t) => {
  const lines = new LineWaiter();
  const script = "process.on('SIGINT', () => { console.log('got SIGINT'); process.exit(3); }); console.log('up'); setInterval(() => {}, 1000);";
  const proc = await spawnService(nodePlan(['-e', script]), lines);
  cleanupGroup(t, proc);
  await lines.waitFor((l) => l === 'up');
  assert.deepEqual(await proc.stop('SIGINT', 10_000), { killed: false });
  assert.deepEqual(await proc.exited, { code: 3, signal: null, stdioOpen: false });
  assert.ok(lines.lines.some((l) => l.line === 'got SIGINT'));
  assert.deepEqual(await proc.stop('SIGTERM', 100), { killed: false });
});

test('killGroup and waitGroupGone clean up a group by pgid alone', async (t) => {
  const lines = new LineWaiter();
  const proc = await spawnService(nodePlan([fixture('ignore-term.mjs')]), lines);
  cleanupGroup(t, proc);
  await lines.waitFor((l) => l.includes('"grandchild"'));
  assert.equal(killGroup(proc.pgid, 'SIGTERM'), true);
  assert.equal(await waitGroupGone(proc.pgid, 100), false, 'SIGTERM is ignored by the whole group');
  assert.equal(killGroup(proc.pgid, 'SIGKILL'), true);
  assert.equal(await waitGroupGone(proc.pgid, 10_000), true);
  assert.equal(isGroupAlive(proc.pgid), false);
  await proc.exited;
});

test('killGroup refuses to signal every process or our own group', () => {
  assert.throws(() => killGroup(1, 'SIGTERM'), RangeError);
  assert.throws(() => killGroup(0, 'SIGTERM'), RangeError);
  const own = readProcStat(process.pid)?.pgid ?? -1;
  assert.throws(() => killGroup(own, 0), RangeError);
});
