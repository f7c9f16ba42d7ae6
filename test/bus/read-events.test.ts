import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectBus, createEventFactory, followEvents, readEvents } from '../../src/bus/index.ts';
import type { Bus, ReadResult } from '../../src/bus/index.ts';
import { emptyDecodeStats, serviceFilter, typeFilter } from '../../src/events/index.ts';
import { testConfig } from './helpers.ts';
import type { After } from './helpers.ts';

async function collect(it: AsyncIterable<ReadResult>): Promise<ReadResult[]> {
  const out: ReadResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

const seqs = (rs: ReadResult[]): number[] => rs.map((r) => (r.ok ? r.event.seq : r.seq));

async function seeded(t: After): Promise<Bus> {
  const config = await testConfig(t, {}, 'read');
  const bus = await connectBus(config);
  t.after(() => bus.close());
  const make = createEventFactory({ node: config.node, component: 'test' });
  await bus.publish(make('orchestrator.service.disabled', { service: 'alpha', reason: 'one' })); // 1
  await bus.publish(make('orchestrator.service.disabled', { service: 'beta', reason: 'two' })); // 2
  await bus.js.publish(`orchestrator.service.${config.node}.alpha.start`, new TextEncoder().encode('{not json')); // 3
  await bus.publish(make('orchestrator.node.down', { node: config.node, reason: 'three' })); // 4
  await bus.publish(make('orchestrator.service.disabled', { service: 'alpha', reason: 'four' })); // 5
  return bus;
}

test('readEvents reads the whole history, yields skips in place and counts them', async (t) => {
  const bus = await seeded(t);
  const stats = emptyDecodeStats();
  const all = await collect(readEvents(bus, { stats }));
  assert.deepEqual(seqs(all), [1, 2, 3, 4, 5]);
  const skip = all[2];
  assert.ok(skip !== undefined && !skip.ok);
  assert.equal(skip.reason, 'json');
  assert.match(skip.subject, /\.alpha\.start$/);
  assert.equal(stats.decoded, 4);
  assert.equal(stats.skipped.json, 1);
});

test('readEvents honours filter, fromSeq and until, and ends when nothing matches', async (t) => {
  const bus = await seeded(t);
  assert.deepEqual(seqs(await collect(readEvents(bus, { filter: serviceFilter('alpha') }))), [1, 3, 5]);
  assert.deepEqual(seqs(await collect(readEvents(bus, { filter: typeFilter('orchestrator.node.down') }))), [4]);
  assert.deepEqual(seqs(await collect(readEvents(bus, { fromSeq: 2, until: 4 }))), [2, 3, 4]);
  assert.deepEqual(seqs(await collect(readEvents(bus, { filter: serviceFilter('nobody') }))), []);
  assert.deepEqual(seqs(await collect(readEvents(bus, { fromSeq: 6 }))), []);
});

test('readEvents on an empty stream ends at once', async (t) => {
  const config = await testConfig(t, {}, 'read-empty');
  const bus = await connectBus(config);
  t.after(() => bus.close());
  assert.deepEqual(await collect(readEvents(bus)), []);
});

test('followEvents continues after the history with live events until aborted', async (t) => {
  const bus = await seeded(t);
  const make = createEventFactory({ node: 'n1', component: 'test' });
  const abort = new AbortController();
  const seen: number[] = [];
  const done = (async () => {
    for await (const r of followEvents(bus, { fromSeq: 4, signal: abort.signal })) {
      seen.push(r.ok ? r.event.seq : r.seq);
      if (seen.length === 2) await bus.publish(make('orchestrator.service.disabled', { service: 'gamma', reason: 'live' }));
      if (seen.length === 3) abort.abort();
    }
  })();
  await done;
  assert.deepEqual(seen, [4, 5, 6]);
});

test('followEvents ends when aborted while waiting for a message', async (t) => {
  const bus = await seeded(t);
  const abort = new AbortController();
  let count = 0;
  for await (const _ of followEvents(bus, { fromSeq: 5, signal: abort.signal })) {
    count++;
    // Abort while the iterator waits for message 6, which never comes.
    setImmediate(() => abort.abort());
  }
  assert.equal(count, 1);
});

test('followEvents keeps up after the embedded broker is killed and restarted', async (t) => {
  const config = await testConfig(t, { nats: { store: 'file' } }, 'read-restart');
  let restarted!: () => void;
  const back = new Promise<void>((resolve) => (restarted = resolve));
  const bus = await connectBus(config, { broker: { onRestarted: () => restarted() } });
  t.after(() => bus.close());
  const make = createEventFactory({ node: config.node, component: 'test' });
  const publish = (n: number): Promise<unknown> => bus.publish(make('orchestrator.service.disabled', { service: 'alpha', reason: `event ${n}` }));
  const seen: number[] = [];
  const abort = new AbortController();
  const following = (async () => {
    for await (const r of followEvents(bus, { signal: abort.signal })) seen.push(r.ok ? r.event.seq : r.seq);
  })();
  const reached = async (count: number, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (seen.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  for (let n = 1; n <= 3; n++) await publish(n);
  await reached(3, 10_000);
  assert.deepEqual(seen, [1, 2, 3]);

  const server = bus.server;
  assert.ok(server !== null);
  process.kill(server.pid, 'SIGKILL');
  await back;
  // More events than the follower had read before the restart: the client's recreated
  // consumer would deliver only the first three of them, then nothing for 30 s.
  for (let n = 4; n <= 9; n++) await publish(n);
  await reached(9, 10_000);
  abort.abort();
  await following;
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9], 'every event after the restart is followed, once, in order');
});
