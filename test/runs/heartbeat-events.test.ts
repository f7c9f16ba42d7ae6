// Heartbeat events are samples: the record takes every heartbeat, the stream at most one
// heartbeat event per run per second (the first at once, then the latest values), and any other
// event of the run publishes a held heartbeat first, so the stream keeps the run's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestRuns } from '../../src/bus/index.ts';
import type { NestorEvent, Stored } from '../../src/events/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Run, RunCommandResult } from '../../src/runs/index.ts';
import { runById } from '../../src/state/index.ts';
import { data } from './replies.ts';

const ofRun = (events: readonly Stored<NestorEvent>[], id: string): Stored<NestorEvent>[] =>
  events.filter((e) => e.type.startsWith('orchestrator.run.') && ((e.data as { id?: string }).id ?? (e.data as { run?: { id: string } }).run?.id) === id);

test('a burst of heartbeats: every one in the record, the first and the latest on the stream', async (t) => {
  const h = await createHarness({ name: 'runs-hb-sample' });
  t.after(() => h.close());
  const run = data(await requestRuns<Run>(h.bus, 'create', { body: { experiment: 'burst', version: 'v1' }, by: 'test' }));

  const started = Date.now();
  for (let step = 1; step <= 30; step++) {
    const body = { step, checkpointVersion: 0, metrics: { loss: 1 / step }, runtimeStatus: step === 1 ? 'warming up' : '' };
    data(await requestRuns<Run>(h.bus, 'heartbeat', { id: run.id, body }));
  }
  const elapsedS = (Date.now() - started) / 1000;
  assert.equal(data(await requestRuns<Run>(h.bus, 'get', { id: run.id })).step, 30, 'the record took every heartbeat');

  // The held heartbeat leaves when its window ends: the state catches up with the last values.
  const state = await h.waitUntil('the last heartbeat in state.runs', (s) => runById(s.runs, run.id)?.step === 30);
  const summary = runById(state.runs, run.id);
  assert.equal(summary?.metrics.loss, 1 / 30);
  assert.equal(summary?.runtimeStatus, 'warming up', 'an empty status in a later heartbeat keeps the last one');
  const beats = ofRun(h.events(), run.id).filter((e) => e.type === 'orchestrator.run.heartbeat');
  assert.equal((beats[0]?.data as { step: number }).step, 1, 'the first heartbeat leaves at once');
  assert.ok(beats.length >= 2 && beats.length <= Math.ceil(elapsedS) + 2, `${beats.length} heartbeat events for 30 heartbeats in ${elapsedS} s`);
});

test('a command after held heartbeats: the held heartbeat is published before it', async (t) => {
  const h = await createHarness({ name: 'runs-hb-order' });
  t.after(() => h.close());
  const run = data(await requestRuns<Run>(h.bus, 'create', { body: { experiment: 'order', version: 'v1' }, by: 'test' }));
  for (let step = 1; step <= 5; step++) data(await requestRuns<Run>(h.bus, 'heartbeat', { id: run.id, body: { step, checkpointVersion: 0 } }));
  data(await requestRuns<RunCommandResult>(h.bus, 'command', { id: run.id, body: { id: 'c1', type: 'pause' }, by: 'test' }));

  await h.waitForEvent('orchestrator.run.command.sent', (e) => e.data.id === run.id);
  const events = ofRun(h.events(), run.id);
  const sent = events.findIndex((e) => e.type === 'orchestrator.run.command.sent');
  const lastBeat = events.slice(0, sent).filter((e) => e.type === 'orchestrator.run.heartbeat').at(-1);
  assert.equal((lastBeat?.data as { step: number } | undefined)?.step, 5, 'the latest heartbeat precedes the command on the stream');
  assert.ok(events.slice(sent).every((e) => e.type !== 'orchestrator.run.heartbeat'), 'no heartbeat after the command');
  assert.equal(runById((await h.waitUntil('the command in state.runs', (s) => runById(s.runs, run.id)?.pendingCommands === 1)).runs, run.id)?.step, 5);
});
