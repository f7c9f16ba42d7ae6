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

  assert.deepEqual(
    a.events().map((e) => [e.seq, (e.data as { service: string }).service]),
    [[1, 'only-a']],
  );
  assert.deepEqual(
    b.events().map((e) => [e.seq, (e.data as { service: string }).service]),
    [
      [1, 'only-b'],
      [2, 'only-b'],
    ],
  );
});
