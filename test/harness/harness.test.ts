import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { StorageType } from '@nats-io/jetstream';
import { createHarness, EventTimeoutError } from '../../src/harness/index.ts';
import { isProcessAlive } from '../../src/process/index.ts';

test('the harness boots through loadConfig and connectBus in test mode', async (t) => {
  const h = await createHarness({ name: 'boot' });
  t.after(() => h.close());
  assert.equal(h.config.test, true);
  assert.equal(h.config.nats.mode, 'embedded');
  assert.equal(h.config.nats.store, 'memory');
  assert.match(h.dataDir, /\.data-test\/boot-/);
  assert.ok(h.bus.server !== null);
  assert.equal((await h.bus.jsm.streams.info(h.bus.streamName)).config.storage, StorageType.Memory);

  const file = await createHarness({ name: 'boot-file', store: 'file' });
  t.after(() => file.close());
  assert.equal((await file.bus.jsm.streams.info(file.bus.streamName)).config.storage, StorageType.File);
});

test('waitForEvent finds recorded events and events that arrive later, after `since`', async () => {
  await using h = await createHarness({ name: 'wait' });
  // The node announces itself first (orchestrator.node.up); the test's events follow it.
  const base = (await h.waitForEvent('orchestrator.node.up')).seq;
  const first = await h.publish('orchestrator.service.disabled', { service: 'alpha', reason: 'first' });
  const recorded = await h.waitForEvent('orchestrator.service.disabled');
  assert.equal(recorded.seq, first.seq);
  assert.deepEqual(recorded, { ...first.event, seq: first.seq });

  const later = h.waitForEvent('orchestrator.service.disabled', (e) => e.data.service === 'beta');
  const afterFirst = h.waitForEvent('orchestrator.service.disabled', undefined, { since: first.seq });
  await h.publish('orchestrator.service.disabled', { service: 'beta', reason: 'second' });
  assert.equal((await later).data.service, 'beta');
  assert.equal((await afterFirst).data.reason, 'second');
  assert.equal(h.lastSeq(), base + 2);
  assert.deepEqual(
    h.events().map((e) => e.seq),
    [base, base + 1, base + 2],
  );
});

test('a waitForEvent timeout lists the last events seen', async (t) => {
  const h = await createHarness({ name: 'timeout' });
  t.after(() => h.close());
  const { seq } = await h.publish('orchestrator.service.disabled', { service: 'alpha', reason: 'seen' });
  await h.waitForEvent('orchestrator.service.disabled');
  await assert.rejects(h.waitForEvent('orchestrator.service.ready', undefined, { timeoutMs: 50 }), (err: unknown) => {
    assert.ok(err instanceof EventTimeoutError, String(err));
    assert.equal(err.type, 'orchestrator.service.ready');
    assert.deepEqual(err.recent.at(-1), { seq, type: 'orchestrator.service.disabled', service: 'alpha' });
    assert.match(err.message, new RegExp(`#${seq} orchestrator\\.service\\.disabled alpha`));
    return true;
  });
});

test('disposal stops the server and removes the data dir even when the test body throws', async () => {
  let dataDir = '';
  let pid = 0;
  let pending: Promise<unknown> = Promise.resolve();
  await assert.rejects(async () => {
    await using h = await createHarness({ name: 'dispose' });
    dataDir = h.dataDir;
    pid = h.bus.server?.pid ?? 0;
    pending = h.waitForEvent('orchestrator.node.up').catch((err: unknown) => err);
    throw new Error('assertion failed inside the test');
  }, /assertion failed inside the test/);
  assert.equal(existsSync(dataDir), false);
  assert.equal(await isProcessAlive(pid), false);
  const waited = await pending;
  assert.ok(waited instanceof Error && /closed/.test(waited.message), 'a pending wait is rejected on close');
});
