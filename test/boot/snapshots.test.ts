// Snapshots of the reduced state: a node saves them (every N events and when it stops) and
// announces them with orchestrator.snapshot.saved; `nestor status` starts from the newest one
// of this reducer version and reads only the tail, and ignores one of another version.
// Against a nats-server started here (external mode), so the bucket outlives the node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectBus, loadSnapshot, putSnapshotRecord, readEvents, snapshotKey, stateAt } from '../../src/bus/index.ts';
import type { Bus, StoredSnapshot } from '../../src/bus/index.ts';
import type { NestorEvent, Stored } from '../../src/events/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { onCleanup, plainNatsServer } from '../bus/helpers.ts';
import type { CleanupContext } from '../bus/helpers.ts';
import { REDUCER_VERSION, reduceAll, takeSnapshot } from '../../src/state/index.ts';
import type { ServiceState, State } from '../../src/state/index.ts';
import { selectStatusJson } from '../../src/views/index.ts';
import type { StatusJson } from '../../src/views/index.ts';

type Ctx = CleanupContext;

/** A plain nats-server with JetStream on a random port, stopped after the test. */
function natsServer(t: Ctx): Promise<string> {
  return plainNatsServer((fn) => onCleanup(t, fn), { jetstream: true });
}

/** A node on `url` running one idle service, saving a snapshot every `every` events. */
async function node(t: Ctx, url: string, name: string, every: number): Promise<Harness> {
  const h = await createHarness({
    name,
    flags: { nats: { urls: [url] }, events: { snapshotEvery: every, snapshotIntervalMs: 0 } },
    specs: { idle: { process: { command: 'sleep', args: ['300'] } } },
  });
  onCleanup(t, () => h.close());
  await h.waitForState('idle', 'running', { timeoutMs: 20_000 });
  return h;
}

/** A second connection to the same server and stream, as another process would have. */
async function observer(t: Ctx, h: Harness): Promise<Bus> {
  const bus = await connectBus(h.config, { component: 'observer' });
  onCleanup(t, () => bus.close());
  return bus;
}

async function history(bus: Bus): Promise<Stored<NestorEvent>[]> {
  const events: Stored<NestorEvent>[] = [];
  for await (const r of readEvents(bus)) if (r.ok) events.push(r.event);
  return events;
}

const statusOf = (state: State): StatusJson => JSON.parse(JSON.stringify(selectStatusJson(state))) as StatusJson;

test('a node saves snapshots every N events and announces them; status from snapshot + tail equals a full replay', async (t) => {
  const url = await natsServer(t);
  const h = await node(t, url, 'snap-every', 5);
  for (let i = 0; i < 3; i++) {
    const since = h.lastSeq();
    await h.command('restart', 'idle');
    await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'idle', { since });
  }
  const saved = await h.waitForEvent('orchestrator.snapshot.saved');
  assert.equal(saved.data.node, h.config.node);
  assert.equal(saved.data.key, snapshotKey(h.config.events.stream));
  assert.ok(saved.data.throughSeq < saved.seq, 'the announcement follows the events it includes');

  const bus = await observer(t, h);
  const events = await history(bus);
  const snap = await loadSnapshot(bus, { bounds: await bus.streamBounds() });
  assert.ok(snap !== null, 'the bucket holds a usable snapshot');
  assert.equal(snap.node, h.config.node);
  const included = events.filter((e) => e.seq <= snap.throughSeq);
  assert.deepEqual(snap.state, reduceAll(included), 'the snapshot is the state of the events it includes');

  const res = await h.cli(['status', '--json']);
  assert.equal(res.code, 0, res.stderr);
  const doc = res.json<StatusJson>();
  const full = await stateAt(bus, { snapshot: false, until: doc.seq });
  assert.deepEqual(doc, statusOf(full));
  assert.deepEqual(doc, statusOf(reduceAll(events.filter((e) => e.seq <= doc.seq))));
});

test('status starts from a snapshot of this reducer version and ignores one of another version', async (t) => {
  const url = await natsServer(t);
  const h = await node(t, url, 'snap-version', 0);
  const bus = await observer(t, h);
  const bounds = await bus.streamBounds();
  const real = await stateAt(bus, { snapshot: false, until: bounds.lastSeq });
  // A snapshot that shows a service no event ever registered: only a reader that trusts the
  // snapshot can show it.
  const ghost: ServiceState = { ...(real.services['idle'] as ServiceState), id: 'ghost', service: 'ghost', displayName: 'ghost' };
  const forged = { ...real, services: { ...real.services, ghost } };
  const record = (version: number): StoredSnapshot => ({
    ...takeSnapshot(forged),
    version,
    stream: bus.streamName,
    streamCreated: bounds.created,
    node: 'elsewhere',
    throughTimestamp: null,
    savedAt: new Date().toISOString(),
  });
  const ids = async (): Promise<string[]> => {
    const res = await h.cli(['status', '--json']);
    assert.equal(res.code, 0, res.stderr);
    return res.json<StatusJson>().services.map((s) => s.id);
  };

  await putSnapshotRecord(bus, snapshotKey(bus.streamName), record(REDUCER_VERSION));
  assert.deepEqual(await ids(), ['ghost', 'idle'], 'the snapshot of this version is used');
  const atEnd = await h.cli(['status', '--at', String(bounds.lastSeq - 1), '--json']);
  assert.deepEqual(
    atEnd.json<StatusJson>().services.map((s) => s.id),
    ['idle'],
    '--at a point before the snapshot does not use it',
  );

  await putSnapshotRecord(bus, snapshotKey(bus.streamName), record(REDUCER_VERSION + 1));
  assert.deepEqual(await ids(), ['idle'], 'a snapshot of another reducer version is ignored');

  await putSnapshotRecord(bus, snapshotKey(bus.streamName), { ...record(REDUCER_VERSION), streamCreated: '2000-01-01T00:00:00Z' });
  assert.deepEqual(await ids(), ['idle'], 'a snapshot of an earlier stream of the same name is ignored');
});

test('a node saves a snapshot when it stops, including its node.down', async (t) => {
  const url = await natsServer(t);
  const h = await node(t, url, 'snap-stop', 0);
  const bus = await observer(t, h);
  await h.node.shutdown('test');
  const events = await history(bus);
  const down = events.findLast((e) => e.type === 'orchestrator.node.down');
  const saved = events.findLast((e) => e.type === 'orchestrator.snapshot.saved');
  assert.ok(down !== undefined && saved !== undefined, 'node.down and snapshot.saved are in the stream');
  assert.ok(saved.seq > down.seq);
  assert.ok(saved.type === 'orchestrator.snapshot.saved' && saved.data.throughSeq >= down.seq, 'the last snapshot includes node.down');
  const snap = await loadSnapshot(bus, { bounds: await bus.streamBounds() });
  assert.equal(snap?.throughSeq, saved.data.throughSeq);
  assert.equal(snap?.state.nodes[h.config.node]?.status, 'down');
  assert.deepEqual(await stateAt(bus), await stateAt(bus, { snapshot: false }));
});
