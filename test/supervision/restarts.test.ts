// Restart policies with real crashing processes: an immediate first restart, then growing
// backoff delays visible in events,
// retries exhausted exactly after maxRestarts, and the differences between the policies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHarness } from '../../src/harness/index.ts';
import { demo, fastRestarts } from './support.ts';

test('a crash loop restarts once at once, then with growing delays, then gives up after maxRestarts', async () => {
  await using h = await createHarness({
    name: 'crash-loop',
    specs: { alpha: demo('alpha', { args: ['--crash-after', '30'], spec: fastRestarts }) },
  });
  const exhausted = await h.waitForEvent('orchestrator.service.retries.exhausted', undefined, { timeoutMs: 20_000 });
  assert.deepEqual(exhausted.data, { service: 'alpha', attempts: 3, maxRestarts: 3 });
  const scheduled = h.events().flatMap((e) => (e.type === 'orchestrator.service.restart.scheduled' ? [e.data] : []));
  assert.deepEqual(
    scheduled.map((s) => [s.attempt, s.delayMs]),
    [
      [1, 0],
      [2, 20],
      [3, 40],
    ],
  );
  const exits = h.events().flatMap((e) => (e.type === 'orchestrator.service.exit' ? [e.data] : []));
  assert.equal(exits.length, 4, 'the first run and three restarts all exited');
  assert.ok(exits.every((x) => x.code === 1 && !x.expected));
  const starts = h.events().flatMap((e) => (e.type === 'orchestrator.service.start' ? [e.data.attempt] : []));
  assert.deepEqual(starts, [0, 1, 2, 3]);
  const alpha = h.service('alpha');
  assert.equal(alpha.state, 'failed');
  assert.equal(alpha.restarts, 3);
});

test('a service that fails at start follows its policy: on-failure retries, never gives up at once', async () => {
  await using h = await createHarness({
    name: 'fail-at-start',
    specs: {
      retry: demo('alpha', { args: ['--fail-at-start'], spec: { ...fastRestarts, maxRestarts: 1 } }),
      once: demo('alpha', { args: ['--fail-at-start'], process: { restartPolicy: 'never' } }),
    },
  });
  await h.waitForEvent('orchestrator.service.retries.exhausted', (e) => e.data.service === 'retry', { timeoutMs: 20_000 });
  const onceExit = await h.waitForEvent('orchestrator.service.exit', (e) => e.data.service === 'once');
  assert.equal(onceExit.data.code, 3);
  // An error exit that its policy does not restart is a failure that has settled, with its code.
  await h.waitForState('once', 'failed');
  assert.equal(h.service('once').lastError, 'exited with code 3');
  assert.equal(h.events().some((e) => e.type === 'orchestrator.service.restart.scheduled' && e.data.service === 'once'), false);
  assert.equal(h.service('once').lastExit?.code, 3);
});

test('always restarts after a clean exit; on-failure does not', async () => {
  const clean = (policy: string) =>
    demo('alpha', { args: ['--crash-after', '30', '--exit-code', '0'], process: { restartPolicy: policy }, spec: fastRestarts });
  await using h = await createHarness({ name: 'policies', specs: { always: clean('always'), onfailure: clean('on-failure') } });
  await h.waitForEvent('orchestrator.service.restart.scheduled', (e) => e.data.service === 'always');
  const exit = await h.waitForEvent('orchestrator.service.exit', (e) => e.data.service === 'onfailure');
  assert.equal(exit.data.code, 0);
  await h.waitForState('onfailure', 'stopped');
  assert.equal(h.events().some((e) => e.type === 'orchestrator.service.restart.scheduled' && e.data.service === 'onfailure'), false);
});

test('a SIGKILLed process is restarted at once, and its exit reports the signal', async () => {
  const resetAfter = 300;
  const spec = { ...fastRestarts, backoff: { initial: '20ms', multiplier: 2, max: '1s', resetAfter: `${resetAfter}ms` } };
  await using h = await createHarness({ name: 'sigkill', specs: { alpha: demo('alpha', { spec }) } });
  let ready = await h.waitForEvent('orchestrator.service.ready');
  const pids = [ready.data.pid];
  // Each kill lands on a run that lasted past resetAfter: a stable service, so never a backoff.
  for (let kill = 1; kill <= 2; kill++) {
    await sleep(resetAfter + 100);
    process.kill(ready.data.pid, 'SIGKILL');
    const exit = await h.waitForEvent('orchestrator.service.exit', (e) => e.data.pid === ready.data.pid);
    assert.deepEqual([exit.data.code, exit.data.signal, exit.data.expected, exit.data.restart], [null, 'SIGKILL', false, true]);
    const scheduled = await h.waitForEvent('orchestrator.service.restart.scheduled', (e) => e.seq > exit.seq);
    assert.deepEqual([scheduled.data.attempt, scheduled.data.delayMs], [1, 0], `kill ${kill}: restart 1 of a fresh streak, no delay`);
    ready = await h.waitForEvent('orchestrator.service.ready', (e) => e.seq > exit.seq);
    pids.push(ready.data.pid);
  }
  assert.equal(new Set(pids).size, 3, 'each restart is a new process');
  assert.equal(h.service('alpha').restarts, 2);
  assert.equal(h.service('alpha').state, 'ready');
});
