// The runs of the state: a table in creation order that a heartbeat updates without copying the
// other runs, read by id or as a list, and that survives a JSON round trip (snapshots, the API).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyState, reduceAll, runById, runList } from '../../src/state/index.ts';
import type { State } from '../../src/state/index.ts';
import { sampleEvent } from '../events/samples.ts';

const created = (id: string, offsetMs: number) =>
  sampleEvent('orchestrator.run.created', { run: { id, experiment: 'mnist', version: 'v3', params: {}, heartbeatIntervalMs: 1000, binding: null } }, offsetMs);

test('runs are found by id and listed in creation order; a heartbeat changes only its run', () => {
  const state = reduceAll([created('r-b', 0), created('r-a', 1), created('r-c', 2)]);
  assert.deepEqual(runList(state.runs).map((r) => r.id), ['r-b', 'r-a', 'r-c']);
  const after = reduceAll([sampleEvent('orchestrator.run.heartbeat', { id: 'r-a', step: 7 }, 3)], state);
  assert.equal(runById(after.runs, 'r-a')?.step, 7);
  assert.equal(runById(state.runs, 'r-a')?.step, 0, 'the state before the heartbeat is unchanged');
  assert.equal(runById(after.runs, 'r-b'), runById(state.runs, 'r-b'), 'other runs are shared, not copied');
  assert.equal(after.runs.at, state.runs.at, 'the index is copied only when a run is created');
  assert.deepEqual(runList(after.runs).map((r) => r.id), ['r-b', 'r-a', 'r-c']);
});

test('unknown ids are absent, even names of Object.prototype; a second creation and events of an unknown run are ignored', () => {
  const state = reduceAll([created('r-1', 0), created('r-1', 1), sampleEvent('orchestrator.run.heartbeat', { id: 'toString' }, 2)]);
  assert.equal(runById(state.runs, 'toString'), undefined);
  assert.equal(runById(state.runs, 'nope'), undefined);
  assert.equal(runList(state.runs).length, 1);
  assert.equal(state.counters.ignored, 2);
});

test('the table survives JSON (snapshots and GET /api/v1/state)', () => {
  const state = reduceAll([created('r-1', 0), sampleEvent('orchestrator.run.heartbeat', { id: 'r-1', step: 3 }, 1)]);
  const back = JSON.parse(JSON.stringify(state)) as State;
  assert.equal(runById(back.runs, 'r-1')?.step, 3);
  assert.deepEqual(runList(emptyState().runs), []);
});
