// Commands over the bus (the request a CLI or UI sends): each is answered, recorded as an
// event when accepted, and followed by the lifecycle events it causes; impossible ones are
// refused with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from '../../src/harness/index.ts';
import { alive, demo } from './support.ts';

test('disable stops the process and keeps it down; enable brings it back', async () => {
  await using h = await createHarness({ name: 'disable-enable', specs: { alpha: demo('alpha') } });
  const ready = await h.waitForEvent('orchestrator.service.ready');
  const since = h.lastSeq();
  assert.deepEqual(await h.command('disable', 'alpha'), { ok: true, message: 'alpha disabled' });
  const cmd = await h.waitForEvent('orchestrator.command.disable', undefined, { since });
  assert.deepEqual(cmd.data.requestedBy, { node: h.config.node, component: 'harness' });
  await h.waitForState('alpha', 'disabled');
  assert.equal(alive(ready.data.pid), false);
  assert.equal(h.service('alpha').enabled, false);

  assert.deepEqual(await h.command('enable', 'alpha'), { ok: true, message: 'alpha enabled' });
  const back = await h.waitForEvent('orchestrator.service.ready', (e) => e.seq > cmd.seq);
  assert.notEqual(back.data.pid, ready.data.pid);
});

test('restart replaces the process; stop and start work on a running service', async () => {
  await using h = await createHarness({ name: 'restart-stop-start', specs: { alpha: demo('alpha') } });
  const first = await h.waitForEvent('orchestrator.service.ready');
  assert.equal((await h.command('restart', 'alpha')).ok, true);
  const exit = await h.waitForEvent('orchestrator.service.exit', (e) => e.data.pid === first.data.pid);
  assert.equal(exit.data.expected, true);
  const second = await h.waitForEvent('orchestrator.service.ready', (e) => e.seq > exit.seq);
  assert.equal(h.service('alpha').restarts, 1);

  assert.equal((await h.command('stop', 'alpha')).ok, true);
  await h.waitForState('alpha', 'stopped');
  assert.equal(alive(second.data.pid), false);
  assert.equal((await h.command('start', 'alpha')).ok, true);
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.pid !== second.data.pid && e.seq > second.seq);
});

test('unknown services and impossible transitions are refused with a clear reply and change nothing', async () => {
  await using h = await createHarness({ name: 'command-errors', specs: { alpha: demo('alpha') } });
  await h.waitForState('alpha', 'ready');
  assert.deepEqual(await h.command('restart', 'nope'), { ok: false, code: 'unknown-service', message: 'unknown service "nope"' });
  assert.deepEqual(await h.command('start', 'alpha'), {
    ok: false,
    code: 'invalid-transition',
    message: 'alpha is ready; stop it first or use restart',
  });
  await h.command('disable', 'alpha');
  await h.waitForState('alpha', 'disabled');
  const refused = await h.command('restart', 'alpha');
  assert.deepEqual(refused, { ok: false, code: 'invalid-transition', message: 'alpha is disabled; enable it first' });
  const recorded = h.events().filter((e) => e.type.startsWith('orchestrator.command.')).map((e) => e.type);
  assert.deepEqual(recorded, ['orchestrator.command.disable'], 'only the accepted command is recorded');
});

test('a re-registered, changed spec restarts the service with the next spec version', async () => {
  await using h = await createHarness({ name: 'respec', specs: { alpha: demo('alpha') } });
  const first = await h.waitForEvent('orchestrator.service.ready');
  const changed = demo('alpha', { process: { env: { DEMO_MESSAGE: 'second version' } } });
  await h.register({ services: { alpha: changed } });
  const reg = await h.waitForEvent('orchestrator.service.register', (e) => e.data.specVersion === 2);
  const stop = await h.waitForEvent('orchestrator.service.stop', (e) => e.seq > reg.seq);
  assert.equal(stop.data.reason, 'respec');
  const second = await h.waitForEvent('orchestrator.service.ready', (e) => e.seq > stop.seq);
  assert.notEqual(second.data.pid, first.data.pid);
  const info = (await (await fetch(`http://127.0.0.1:${second.data.ports.primary}/api/info`)).json()) as { message: string };
  assert.equal(info.message, 'second version');
  assert.equal(h.service('alpha').specVersion, 2);

  // The same spec again is a no-op: same version, no restart.
  const seq = h.lastSeq();
  await h.register({ services: { alpha: changed } });
  const same = await h.waitForEvent('orchestrator.service.register', (e) => e.seq > seq);
  assert.equal(same.data.specVersion, 2);
  assert.equal(h.service('alpha').pid, second.data.pid);
});
