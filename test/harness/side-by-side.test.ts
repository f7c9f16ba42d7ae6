import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from '../../src/harness/index.ts';

test('two harnesses run side by side with separate servers, data dirs and streams', async (t) => {
  const [a, b] = await Promise.all([createHarness({ name: 'side-a' }), createHarness({ name: 'side-b' })]);
  t.after(() => a.close());
  t.after(() => b.close());
  assert.notEqual(a.dataDir, b.dataDir);
  assert.notEqual(a.bus.natsUrl, b.bus.natsUrl);

  await a.publish('orchestrator.service.disabled', { service: 'only-a', reason: 'a' });
  await b.publish('orchestrator.service.disabled', { service: 'only-b', reason: 'b' });
  await b.publish('orchestrator.service.disabled', { service: 'only-b', reason: 'b again' });
  await a.waitForEvent('orchestrator.service.disabled');
  await b.waitForEvent('orchestrator.service.disabled', (e) => e.data.reason === 'b again');

  // Each stream holds its own node's announcement and only its own events.
  const services = (h: typeof a) => h.events().map((e) => [e.seq, 'service' in e.data ? e.data.service : 'node' in e.data ? e.data.node : null]);
  assert.deepEqual(services(a), [[1, a.config.node], [2, 'only-a']]);
  assert.deepEqual(services(b), [[1, b.config.node], [2, 'only-b'], [3, 'only-b']]);
  assert.notEqual(a.config.node, b.config.node);
});
