// A state larger than one broker message (1 MiB by default; a thousand runs with their heartbeat
// history pass it) is still snapshotted: in parts, behind a head that goes through the same
// compare-and-set, and read back whole. Against a nats-server started here at its defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kvm } from '@nats-io/kv';
import { connectBus, loadSnapshot, readEvents, requestRuns, snapshotKey } from '../../src/bus/index.ts';
import type { NestorEvent, Stored } from '../../src/events/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import { reduceAll } from '../../src/state/index.ts';
import { onCleanup, plainNatsServer } from '../bus/helpers.ts';
import { handlesOf } from '../../src/bus/handles.ts';
import { splitByBytes } from '../../src/bus/snapshots.ts';
import { SNAPSHOT_BUCKET } from '../../src/bus/streams.ts';

test('a state over max_payload is saved in parts and loaded whole; the parts of the snapshot it replaced are purged', { timeout: 120_000 }, async (t) => {
  const url = await plainNatsServer((fn) => onCleanup(t, fn), { jetstream: true });
  const h = await createHarness({
    name: 'snap-parts',
    flags: { nats: { urls: [url] }, events: { snapshotEvery: 10, snapshotIntervalMs: 0 } },
    specs: { idle: { process: { command: 'sleep', args: ['300'] } } },
  });
  onCleanup(t, () => h.close());
  await h.waitForState('idle', 'running', { timeoutMs: 20_000 });
  const bus = await connectBus(h.config, { component: 'observer' });
  onCleanup(t, () => bus.close());

  // 30 runs with 48 KB of params each (and a multi-byte character, so parts split on characters): ~1.4 MB of state.
  const blob = 'é'.repeat(24_000);
  for (let i = 0; i < 30; i++) {
    const reply = await requestRuns(bus, 'create', { body: { id: `big-${i}`, experiment: 'big', version: '1', params: { blob } } });
    assert.equal(reply.ok, true, JSON.stringify(reply).slice(0, 200));
  }
  const saved = await h.waitForEvent('orchestrator.snapshot.saved', (e) => e.data.throughSeq > 30);
  const maxPayload = handlesOf(bus).nc.info?.max_payload ?? 0;
  const kv = await new Kvm(handlesOf(bus).js).open(SNAPSHOT_BUCKET);
  const partKeys = async (): Promise<string[]> => {
    const keys: string[] = [];
    for await (const k of await kv.keys(`${snapshotKey(bus.streamName)}.>`)) keys.push(k);
    return keys;
  };
  assert.ok((await partKeys()).length >= 2, 'stored in parts');

  const snap = await loadSnapshot(bus, { bounds: await bus.streamBounds() });
  assert.ok(snap !== null, 'the snapshot in parts is read back');
  const events: Stored<NestorEvent>[] = [];
  for await (const r of readEvents(bus)) if (r.ok && r.event.seq <= snap.throughSeq) events.push(r.event);
  assert.deepEqual(snap.state, reduceAll(events), 'it is the state of the events it includes');
  assert.ok(Buffer.byteLength(JSON.stringify(snap.state)) > maxPayload, `the state is larger than one message (${maxPayload} bytes)`);
  assert.ok(saved.data.throughSeq <= snap.throughSeq);
  assert.equal((snap.state.runs.list.find((r) => r.id === 'big-7')?.params as { blob: string }).blob, blob);

  // Ten more events: a newer snapshot replaces the head, and the old one's parts go.
  const first = snap.throughSeq;
  for (let i = 0; i < 10; i++) await requestRuns(bus, 'heartbeat', { id: `big-${i}`, body: { step: 1, checkpointVersion: 0 } });
  await h.waitForEvent('orchestrator.snapshot.saved', (e) => e.data.throughSeq > first);
  // A later save may be under way (its parts written, its head not yet): once it ends, one set remains.
  let prefixes = new Set<string>();
  for (let i = 0; i < 50; i++) {
    prefixes = new Set((await partKeys()).map((k) => k.replace(/\.\d+$/, '')));
    if (prefixes.size === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(prefixes.size, 1, `one snapshot's parts are kept: ${[...prefixes].join(', ')}`);
  assert.ok(![...prefixes][0]?.endsWith(`.p${first}`), 'the replaced snapshot\'s parts were purged');
});

test('splitByBytes cuts text into parts of at most the byte limit without splitting a character', () => {
  const text = 'aé€😀'.repeat(1000);
  for (const max of [4, 7, 100, 4096]) {
    const parts = splitByBytes(text, max);
    assert.equal(parts.join(''), text);
    for (const p of parts) assert.ok(Buffer.byteLength(p) <= max, `${Buffer.byteLength(p)} > ${max}`);
  }
});
