import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from '../../src/harness/index.ts';

test('malformed messages are skipped and counted while the recorder keeps going', async (t) => {
  const h = await createHarness({ name: 'skips' });
  t.after(() => h.close());
  const node = h.config.node;
  // The node's own announcement is seq 1; the junk starts after it.
  const up = await h.waitForEvent('orchestrator.node.up');
  const base = { version: 1, id: '01JAAAAAAAAAAAAAAAAAAAAAAA', timestamp: '2025-01-01T00:00:00.000Z', origin: { node, component: 'test' } };
  const raw: [string, string][] = [
    [`orchestrator.service.${node}.alpha.start`, '{"version": 1, "id": '],
    [`orchestrator.service.${node}.alpha.start`, JSON.stringify({ ...base, type: 'orchestrator.service.start', data: { service: 'alpha', pid: 'not a number' } })],
    [`orchestrator.node.${node}.up`, JSON.stringify({ ...base, version: 2, type: 'orchestrator.node.up', data: {} })],
    [`orchestrator.node.${node}.rebooted`, JSON.stringify({ ...base, type: 'orchestrator.node.rebooted', data: {} })],
    [`orchestrator.node.${node}.down`, JSON.stringify({ ...base, type: 'orchestrator.node.down' })],
  ];
  // Plain core publishes, as a foreign or buggy client would send them; the stream stores them.
  for (const [subject, body] of raw) h.bus.nc.publish(subject, body);
  const valid = await h.publish('orchestrator.service.disabled', { service: 'alpha', reason: 'after the junk' });

  const seen = await h.waitForEvent('orchestrator.service.disabled');
  assert.equal(seen.seq, valid.seq);
  assert.equal(valid.seq, up.seq + raw.length + 1);
  assert.deepEqual(
    h.skipped().map((s) => [s.seq, s.reason]),
    [
      [up.seq + 1, 'json'],
      [up.seq + 2, 'payload'],
      [up.seq + 3, 'version'],
      [up.seq + 4, 'type'],
      [up.seq + 5, 'envelope'],
    ],
  );
  assert.deepEqual(h.decodeStats(), { decoded: 2, skipped: { json: 1, envelope: 1, version: 1, type: 1, payload: 1 } });
  assert.deepEqual(
    h.events().map((e) => e.seq),
    [up.seq, valid.seq],
  );
  assert.equal(h.lastSeq(), valid.seq);
});
