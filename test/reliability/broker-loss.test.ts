// The embedded nats-server dies while the stack runs: it is restarted on the same ports with
// its file store, the services stay supervised throughout, and every event the orchestrator
// emitted meanwhile reaches the stream exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from '../../src/harness/index.ts';
import { alive, demo, fastRestarts } from '../supervision/support.ts';

test('a killed broker is restarted with its store and no event emitted meanwhile is lost', async () => {
  await using h = await createHarness({ name: 'broker-loss', store: 'file', specs: { alpha: demo('alpha', { spec: fastRestarts }) } });
  const ready = await h.waitForEvent('orchestrator.service.ready');
  const server = h.bus.server;
  assert.ok(server !== null);
  const oldBroker = server.pid;
  const before = h.lastSeq();

  // Broker and service die together: the service's exit, restart and readiness all happen
  // while the broker is down or coming back.
  process.kill(oldBroker, 'SIGKILL');
  process.kill(ready.data.pid, 'SIGKILL');

  const again = await h.waitForEvent('orchestrator.service.ready', (e) => e.seq > before, { timeoutMs: 30_000 }).catch((err: unknown) => {
    // Print the payloads of the outage, so a failure here says which transition went missing.
    const tail = h.events().filter((e) => e.seq > before).map((e) => `#${e.seq} ${e.type} ${JSON.stringify(e.data)}`);
    throw new Error(`${(err as Error).message}\n${tail.join('\n')}`);
  });
  assert.notEqual(again.data.pid, ready.data.pid);
  assert.ok(alive(again.data.pid));
  const newBroker = h.bus.server?.pid;
  assert.ok(newBroker !== undefined && newBroker !== oldBroker && alive(newBroker), 'a new nats-server runs');
  assert.equal(alive(oldBroker), false);

  const after = h.events().filter((e) => e.seq > before && 'service' in e.data && e.data.service === 'alpha').map((e) => e.type);
  for (const type of ['orchestrator.service.exit', 'orchestrator.service.restart.scheduled', 'orchestrator.service.start', 'orchestrator.service.ready']) {
    assert.equal(after.filter((t) => t === type).length, 1, `${type} stored exactly once: ${after.join(', ')}`);
  }
  // The history from before the crash is still there (file store kept it).
  const seqs = h.events().map((e) => e.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'no gap in the stream');
});
