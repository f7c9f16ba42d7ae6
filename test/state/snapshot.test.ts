// Snapshot + tail = full replay, at every point of every golden log and for random event
// sequences; and the reducer never throws, never mutates its input, and counts every event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { EVENT_TYPES } from '../../src/events/index.ts';
import type { EventType, NestorEvent, Stored } from '../../src/events/index.ts';
import {
  SnapshotError,
  emptyState,
  parseEventLog,
  reduce,
  reduceAll,
  replayFrom,
  restoreSnapshot,
  takeSnapshot,
} from '../../src/state/index.ts';
import type { Snapshot, State } from '../../src/state/index.ts';
import { sampleEvent, stored } from '../events/samples.ts';

const dir = new URL('../fixtures/replays/', import.meta.url);
const goldenLogs = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .map((f) => ({ name: f, events: parseEventLog(readFileSync(new URL(f, dir), 'utf8')).events }));

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function assertSnapshotAtEveryPoint(events: Stored[], label: string): void {
  const full = reduceAll(events);
  for (let k = 0; k <= events.length; k++) {
    const snap = takeSnapshot(reduceAll(events.slice(0, k)));
    assert.equal(snap.throughSeq, k === 0 ? 0 : events[k - 1]?.seq, `${label}@${k}: throughSeq`);
    assert.deepEqual(replayFrom(snap, events.slice(k)), full, `${label}@${k}: snapshot + tail`);
    assert.deepEqual(replayFrom(snap, events), full, `${label}@${k}: snapshot + overlapping log`);
    const viaJson = JSON.parse(JSON.stringify(snap)) as unknown;
    assert.deepEqual(reduceAll(events.slice(k), restoreSnapshot(viaJson)), full, `${label}@${k}: through JSON`);
  }
}

for (const { name, events } of goldenLogs) {
  test(`${name}: a snapshot at every point plus the tail equals the full replay`, () => {
    assert.ok(events.length > 5);
    assertSnapshotAtEveryPoint(events, name);
  });
}

test('a stored event at or below the state sequence is already included and changes nothing', () => {
  const events = goldenLogs[0]?.events ?? [];
  const state = reduceAll(events);
  for (const e of events) assert.equal(reduce(state, e), state);
});

test('restoreSnapshot refuses what is not a snapshot of this version', () => {
  const snap = takeSnapshot(reduceAll(goldenLogs[0]?.events ?? []));
  assert.throws(() => restoreSnapshot({ ...snap, version: snap.version + 1 }), (err: unknown) => err instanceof SnapshotError && err.reason === 'version');
  assert.throws(() => restoreSnapshot('nope'), (err: unknown) => err instanceof SnapshotError && err.reason === 'shape');
  assert.throws(() => restoreSnapshot({ ...snap, throughSeq: snap.throughSeq + 1 }), SnapshotError);
  assert.throws(() => restoreSnapshot({ version: 1, throughSeq: 0, state: { seq: 0 } }), SnapshotError);
  assert.deepEqual(restoreSnapshot(takeSnapshot(emptyState())), emptyState());
});

// Random but plausible events: two services on two nodes, two pids, clean and failing exits,
// daemons and one-shots. Most sequences are nonsense, which is the point: nothing may throw.
const eventArb = fc
  .record({
    type: fc.constantFrom(...EVENT_TYPES),
    service: fc.constantFrom('api', 'db'),
    node: fc.constantFrom('n1', 'n2'),
    pid: fc.constantFrom(4242, 5151),
    code: fc.constantFrom(0, 1),
    oneshot: fc.boolean(),
    offsetMs: fc.nat(1_000_000),
  })
  .map(({ type, service, node, pid, code, oneshot, offsetMs }): NestorEvent => {
    const scoped = 'service' in sampleEvent(type).data;
    const overrides: Record<string, unknown> = scoped ? { service } : { node };
    if (type === 'orchestrator.service.start' || type === 'orchestrator.service.ready') overrides['pid'] = pid;
    if (type === 'orchestrator.service.exit') Object.assign(overrides, { pid, code });
    if (type === 'orchestrator.service.register') overrides['spec'] = { kind: oneshot ? 'oneshot' : 'daemon' };
    return sampleEvent(type as EventType, overrides as never, offsetMs, node);
  });

// Bias toward the happy path so random runs also reach the deeper states.
const lifecycleArb = fc.constantFrom('api', 'db').map((service) =>
  (['register', 'ensure', 'start', 'ready', 'stop', 'exit'] as const).map((t) =>
    sampleEvent(`orchestrator.service.${t}`, { service } as never),
  ),
);
const sequenceArb = fc
  .array(fc.oneof(eventArb.map((e) => [e]), lifecycleArb), { maxLength: 25 })
  .map((chunks) => stored(chunks.flat()));

test('property: snapshot at any point + tail equals the full replay', () => {
  fc.assert(
    fc.property(sequenceArb, fc.nat(), (events, cut) => {
      const k = events.length === 0 ? 0 : cut % (events.length + 1);
      const full = reduceAll(events);
      const snap = JSON.parse(JSON.stringify(takeSnapshot(reduceAll(events.slice(0, k))))) as unknown;
      assert.deepEqual(replayFrom(snap as Snapshot, events.slice(k)), full);
    }),
    { numRuns: 300 },
  );
});

test('property: the reducer never throws, never mutates its input, and counts every event', () => {
  fc.assert(
    fc.property(sequenceArb, (events) => {
      let state: State = deepFreeze(emptyState());
      for (const e of events) state = deepFreeze(reduce(state, e));
      assert.equal(state.counters.applied + state.counters.ignored, events.length);
      const byType = Object.values(state.counters.ignoredByType).reduce((a, b) => a + b, 0);
      assert.equal(byType, state.counters.ignored);
      assert.equal(state.seq, events.length);
      for (const s of Object.values(state.services)) {
        // stopping may lack a pid when the stop came while starting
        if (s.state === 'running' || s.state === 'ready') assert.notEqual(s.pid, null, `${s.id} ${s.state}`);
        else if (s.state !== 'stopping') assert.equal(s.pid, null, `${s.id} ${s.state}`);
      }
    }),
    { numRuns: 300 },
  );
});
