// The run registry on a real node: a run created over the bus, its heartbeats, a command sent,
// fetched and acknowledged, each change told by an event and folded into state.runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestRuns } from '../../src/bus/index.ts';
import { runWakeSubject } from '../../src/events/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import { startRun } from '../../src/sdk/index.ts';
import type { RunCommandResult, Run, RunCommand } from '../../src/runs/index.ts';
import { runById } from '../../src/state/index.ts';
import { data } from './replies.ts';

test('a run is created, heartbeats and receives a command over the bus', async (t) => {
  const h = await createHarness({ name: 'runs-registry' });
  t.after(() => h.close());

  const seen: string[] = [];
  const stop = h.node.runs.registry.subscribe((r, previous) => seen.push(`${previous?.state ?? '-'}→${r.state}`));
  t.after(stop);
  const run = data(await requestRuns<Run>(h.bus, 'create', { body: { experiment: 'mnist', version: 'v1', params: { lr: 0.1 } }, by: 'test' }));
  assert.match(run.id, /^r-[0-9a-z]+-[0-9a-f]+$/);
  assert.equal(run.state, 'queued');
  assert.equal(run.health, 'healthy');

  const beat = data(await requestRuns<Run>(h.bus, 'heartbeat', { id: run.id, body: { step: 10, checkpointVersion: 1, metrics: { loss: 0.5 } } }));
  assert.equal(beat.state, 'running', 'the first heartbeat starts the run');
  assert.equal(beat.step, 10);

  const sent = data(await requestRuns<RunCommandResult>(h.bus, 'command', { id: run.id, body: { id: 'c1', type: 'tune', params: { lr: 0.01 } }, by: 'test' }));
  assert.equal(sent.created, true);
  assert.equal(sent.command.deliveredAt, null);

  const next = data(await requestRuns<RunCommand | null>(h.bus, 'next', { id: run.id }));
  assert.equal(next?.id, 'c1');
  assert.ok(next?.deliveredAt !== null);
  assert.equal(data(await requestRuns<RunCommand | null>(h.bus, 'next', { id: run.id })), null, 'nothing more to deliver');

  const acked = data(await requestRuns<RunCommand>(h.bus, 'ack', { id: run.id, commandId: 'c1' }));
  assert.ok(acked.acknowledgedAt !== null);

  const stored = data(await requestRuns<Run>(h.bus, 'get', { id: run.id }));
  assert.deepEqual(stored.params, { lr: 0.01 }, 'the tune ack merged its params');
  assert.equal(stored.commands.length, 1);
  assert.equal(stored.commands[0]?.deliveredAt, next?.deliveredAt);

  assert.deepEqual(seen.slice(0, 2), ['-→queued', 'queued→running'], 'the node tells its listeners each newer record');
  await h.waitForEvent('orchestrator.run.command.acked', (e) => e.data.id === run.id);
  const state = await h.waitUntil('the run in state.runs', (s) => runById(s.runs, run.id)?.params.lr === 0.01);
  const summary = runById(state.runs, run.id);
  assert.equal(summary?.state, 'running');
  assert.equal(summary?.step, 10);
  assert.equal(summary?.pendingCommands, 0);
  assert.equal(summary?.history.length, 1);
  const types = h.events().filter((e) => e.type.startsWith('orchestrator.run.')).map((e) => e.type);
  assert.deepEqual(types, [
    'orchestrator.run.created',
    'orchestrator.run.heartbeat',
    'orchestrator.run.state',
    'orchestrator.run.command.sent',
    'orchestrator.run.command.delivered',
    'orchestrator.run.command.acked',
  ]);
});

test('a refused request answers its code and message', async (t) => {
  const h = await createHarness({ name: 'runs-refused' });
  t.after(() => h.close());
  const missing = await requestRuns(h.bus, 'get', { id: 'nope' });
  assert.equal(missing.ok, false);
  assert.equal(!missing.ok && missing.code, 'not_found');
  const bad = await requestRuns(h.bus, 'create', { body: { experiment: 'x' } });
  assert.equal(!bad.ok && bad.code, 'invalid');
  assert.match(!bad.ok ? bad.message : '', /version/);
});

test('a sent command wakes the run\'s listener; a repeated one does not; an oversized request is refused', async (t) => {
  const h = await createHarness({ name: 'runs-wake' });
  t.after(() => h.close());
  const run = data(await requestRuns<Run>(h.bus, 'create', { body: { experiment: 'wake', version: 'v1' } }));
  const sub = h.bus.nc.subscribe(runWakeSubject(run.id));
  t.after(() => sub.unsubscribe());
  await h.bus.nc.flush();
  let wakes = 0;
  const counted = (async () => {
    for await (const _ of sub) wakes++;
  })();
  data(await requestRuns<RunCommandResult>(h.bus, 'command', { id: run.id, body: { id: 'w1', type: 'pause' } }));
  data(await requestRuns<RunCommandResult>(h.bus, 'command', { id: run.id, body: { id: 'w1', type: 'pause' } }));
  data(await requestRuns<RunCommandResult>(h.bus, 'command', { id: run.id, body: { id: 'w2', type: 'resume' } }));
  // A round trip on the same connection: the wake-ups published before it have arrived.
  await h.bus.nc.flush();
  await requestRuns(h.bus, 'get', { id: run.id });
  sub.unsubscribe();
  await counted;
  assert.equal(wakes, 2, 'one wake-up per new command');

  const big = await requestRuns(h.bus, 'heartbeat', { id: run.id, body: { step: 1, checkpointVersion: 0, runtimeStatus: 'x'.repeat(70_000) } });
  assert.equal(!big.ok && big.code, 'too_large');
  const unknown = await requestRuns(h.bus, 'explode' as 'get', { id: run.id });
  assert.equal(!unknown.ok && unknown.code, 'invalid');
  assert.match(!unknown.ok ? unknown.message : '', /known: create, get, list/);
});

test('startRun with the options alone connects from the environment, as a job inside a service does', async (t) => {
  const h = await createHarness({ name: 'runs-start-env' });
  t.after(() => h.close());
  const run = await startRun({ experiment: 'env-only', version: '1', env: { NESTOR_NATS_URL: h.cliEnv().NESTOR_URL } });
  t.after(() => run.close());
  assert.equal(run.record.state, 'queued');
  assert.equal(run.record.binding, null, 'outside a service: no binding');
  const beat = await run.heartbeat({ step: 1, checkpointVersion: 0 });
  assert.equal(beat.state, 'running');
  await assert.rejects(startRun({ experiment: 'env-only', version: '1', env: {} }), /NESTOR_NATS_URL is not set/);
});
