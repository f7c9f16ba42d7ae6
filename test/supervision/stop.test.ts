// Stopping: dependents before their dependencies, the spec's signal then SIGKILL after its
// timeout to the whole process group, and nothing of any group left afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from '../../src/harness/index.ts';
import { alive, demo, groupMembers } from './support.ts';

test('shutdown stops beta before alpha and leaves no process of either group', async () => {
  const h = await createHarness({ name: 'stop-order', specs: { alpha: demo('alpha'), beta: demo('beta') } });
  let closed = false;
  try {
    await h.waitForState('beta', 'ready');
    const pids = [h.service('alpha').pid as number, h.service('beta').pid as number];
    const stops: string[] = [];
    const exits: string[] = [];
    const sub = h.bus.nc.subscribe('orchestrator.service.*.*.>', {
      callback: (_err, msg) => {
        const [, , , service, ...tail] = msg.subject.split('.');
        if (tail.join('.') === 'stop') stops.push(service as string);
        if (tail.join('.') === 'exit') exits.push(service as string);
      },
    });
    await h.node.shutdown('test');
    closed = true;
    sub.unsubscribe();
    assert.deepEqual(stops, ['beta', 'alpha']);
    assert.deepEqual(exits, ['beta', 'alpha']);
    for (const pid of pids) {
      assert.equal(alive(pid), false);
      assert.deepEqual(groupMembers(pid), []);
    }
  } finally {
    if (!closed) await h.node.shutdown('test failed');
    await h.close();
  }
});

test('a service that ignores SIGTERM is SIGKILLed with its whole group after the stop timeout', async () => {
  await using h = await createHarness({
    name: 'ignore-sigterm',
    specs: { alpha: demo('alpha', { args: ['--ignore-sigterm'], process: { stopTimeout: '300ms' } }) },
  });
  const ready = await h.waitForEvent('orchestrator.service.ready');
  const pgid = ready.data.pid;
  assert.ok(groupMembers(pgid).length >= 2, 'alpha and its sleeper share the group');
  assert.equal((await h.command('stop', 'alpha')).ok, true);
  const stop = await h.waitForEvent('orchestrator.service.stop');
  assert.deepEqual([stop.data.signal, stop.data.timeoutMs], ['SIGTERM', 300]);
  const exit = await h.waitForEvent('orchestrator.service.exit');
  assert.equal(exit.data.signal, 'SIGKILL');
  assert.deepEqual(groupMembers(pgid), [], 'the sleeper died with the group');
  await h.waitForState('alpha', 'stopped');
});
