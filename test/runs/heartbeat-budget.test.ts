// The node's budget of heartbeat events: with more runs heartbeating than the budget allows one
// event a second each, every run's events are spaced further apart, so the stream takes about
// `perSecond` heartbeat events a second whatever the number of runs, and each run still has its
// first heartbeat at once and its latest one last.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEventFactory } from '../../src/bus/index.ts';
import type { NestorEvent } from '../../src/events/index.ts';
import { HeartbeatSampler } from '../../src/runs/heartbeat-sampler.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('forty runs heartbeating every 5 ms against a budget of 100 events a second: about 100 a second, each run spaced out', async () => {
  const event = createEventFactory({ node: 'test', component: 'runs' });
  const published: { at: number; e: NestorEvent }[] = [];
  const sampler = new HeartbeatSampler({ windowMs: 20, perSecond: 100, publish: (events) => published.push(...events.map((e) => ({ at: Date.now(), e }))) });
  const runs = Array.from({ length: 40 }, (_, i) => `r${i}`);
  const steps = new Map(runs.map((id) => [id, 0]));
  const started = Date.now();
  while (Date.now() - started < 1_500) {
    for (const id of runs) {
      const step = (steps.get(id) as number) + 1;
      steps.set(id, step);
      sampler.take(id, [event('orchestrator.run.heartbeat', { id, step, checkpointVersion: 0, metrics: {}, runtimeStatus: '' })]);
    }
    await sleep(5);
  }
  const seconds = (Date.now() - started) / 1000;
  sampler.flush();

  // Without the budget each run would leave one event per 20 ms window: ~3,000 in 1.5 s.
  const rate = published.length / seconds;
  assert.ok(rate < 100 * 1.6 + 40, `${published.length} heartbeat events in ${seconds} s (${Math.round(rate)}/s) against a budget of 100/s`);
  for (const id of runs) {
    const own = published.filter((p) => (p.e.data as { id: string }).id === id);
    assert.equal((own[0]?.e.data as { step: number }).step, 1, `${id}: its first heartbeat left at once`);
    assert.equal((own.at(-1)?.e.data as { step: number }).step, steps.get(id), `${id}: its latest heartbeat left last`);
    // Once every run has a window open, a run's window is 40 runs / 100 per second = 400 ms.
    const later = own.slice(1, -1).filter((p) => p.at - started > 500);
    for (let i = 1; i < later.length; i++) {
      const gap = (later[i] as { at: number }).at - (later[i - 1] as { at: number }).at;
      assert.ok(gap >= 300, `${id}: two heartbeat events ${gap} ms apart`);
    }
  }
});

test('a few runs keep one heartbeat event per window', async () => {
  const event = createEventFactory({ node: 'test', component: 'runs' });
  const published: NestorEvent[] = [];
  const sampler = new HeartbeatSampler({ windowMs: 50, perSecond: 100, publish: (events) => published.push(...events) });
  const started = Date.now();
  let step = 0;
  while (Date.now() - started < 1_000) {
    step++;
    sampler.take('solo', [event('orchestrator.run.heartbeat', { id: 'solo', step, checkpointVersion: 0, metrics: {}, runtimeStatus: '' })]);
    await sleep(5);
  }
  sampler.flush();
  // One run is far under the budget: a 50 ms window gives ~20 events in a second, not fewer.
  assert.ok(published.length >= 12 && published.length <= 25, `${published.length} events for one run in a second with a 50 ms window`);
});
