// Health escalation on real nodes: a run that stops heartbeating goes healthy → late → stale →
// lost as its intervals pass, and the next heartbeat brings it back. With two nodes on one
// broker both know the run (their watch of the bucket) and each escalation is written once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestRuns } from '../../src/bus/index.ts';
import type { Bus } from '../../src/bus/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import type { Run } from '../../src/runs/index.ts';
import { onCleanup, plainNatsServer } from '../bus/helpers.ts';
import { runById } from '../../src/state/index.ts';
import { data } from './replies.ts';

async function startedRun(bus: Bus, intervalMs: number): Promise<Run> {
  const run = data(await requestRuns<Run>(bus, 'create', { body: { experiment: 'silent', version: 'v1', heartbeatIntervalMs: intervalMs } }));
  return data(await requestRuns<Run>(bus, 'heartbeat', { id: run.id, body: { step: 1, checkpointVersion: 0 } }));
}

function healthSteps(h: Harness, id: string): string[] {
  return h.events().flatMap((e) => (e.type === 'orchestrator.run.health' && e.data.id === id ? [`${e.data.from}→${e.data.to}`] : []));
}

test('a silent run goes late, stale, lost, and its next heartbeat makes it healthy', async (t) => {
  const h = await createHarness({ name: 'runs-health' });
  t.after(() => h.close());
  const run = await startedRun(h.bus, 100);

  const lost = await h.waitForEvent('orchestrator.run.health', (e) => e.data.id === run.id && e.data.to === 'lost', { timeoutMs: 10_000 });
  assert.deepEqual(healthSteps(h, run.id), ['healthy→late', 'late→stale', 'stale→lost']);
  assert.match(lost.data.reason, /no heartbeat for \d+ intervals of 100ms/);
  const stored = data(await requestRuns<Run>(h.bus, 'get', { id: run.id }));
  assert.equal(stored.health, 'lost');
  assert.deepEqual(
    stored.transitions.filter((x) => x.kind === 'health').map((x) => x.to),
    ['late', 'stale', 'lost'],
  );

  const back = data(await requestRuns<Run>(h.bus, 'heartbeat', { id: run.id, body: { step: 2, checkpointVersion: 0 } }));
  assert.equal(back.health, 'healthy');
  const recovered = await h.waitForEvent('orchestrator.run.health', (e) => e.data.id === run.id && e.data.to === 'healthy');
  assert.equal(recovered.data.from, 'lost');
  assert.equal(recovered.data.reason, 'heartbeat received');
  await h.waitUntil('state.runs shows it healthy', (s) => runById(s.runs, run.id)?.health === 'healthy' && runById(s.runs, run.id)?.step === 2);
});

test('two nodes on one broker know the same runs, write each escalation once and lose no concurrent write', async (t) => {
  const url = await plainNatsServer((fn) => onCleanup(t, fn), { jetstream: true });
  const a = await createHarness({ name: 'runs-two-a', flags: { nats: { urls: [url] } } });
  onCleanup(t, () => a.close());
  const b = await createHarness({ name: 'runs-two-b', flags: { nats: { urls: [url] } } });
  onCleanup(t, () => b.close());

  const run = await startedRun(a.bus, 100);
  // Node b learns the run through its watch of the bucket.
  const deadline = Date.now() + 5_000;
  while (!b.node.runs.registry.known().some((r) => r.id === run.id)) {
    if (Date.now() > deadline) throw new Error('node b never saw the run');
    await new Promise((r) => setTimeout(r, 20));
  }
  const listed = await b.node.runs.registry.list({ experiment: 'silent' });
  assert.deepEqual(listed.runs.map((r) => r.id), [run.id]);

  await a.waitForEvent('orchestrator.run.health', (e) => e.data.id === run.id && e.data.to === 'lost', { timeoutMs: 10_000 });
  // Both tickers ran all along; give the slower one time to have tried as well.
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(healthSteps(a, run.id), ['healthy→late', 'late→stale', 'stale→lost'], 'one event per escalation across both nodes');
  // Writes from both nodes at once: each compare-and-set refused on one node is applied again
  // on the record the other wrote, so nothing is lost.
  const sends = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).node.runs.registry.sendCommand(run.id, { id: `c${i}`, type: 'pause' }, 'test'));
  const results = await Promise.all(sends);
  assert.ok(results.every((r) => r.created));
  const stored = await a.node.runs.registry.get(run.id);
  assert.deepEqual(stored.commands.map((c) => c.id).sort(), Array.from({ length: 40 }, (_, i) => `c${i}`).sort());
  const writers = new Set(a.events().flatMap((e) => (e.type === 'orchestrator.run.health' && e.data.id === run.id ? [e.origin.node] : [])));
  assert.ok([...writers].every((n) => n === a.config.node || n === b.config.node));
});
