// `nestor runs` against a real node (its registry answering on the bus): list, show, the
// commands and tune with --json and the exit codes a script relies on; then /metrics of the same
// node counts the runs by state and health and the command latencies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestRuns } from '../../src/bus/index.ts';
import type { Run, RunCommand } from '../../src/runs/core/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import { until } from '../api/helpers.ts';
import { runMain } from './helpers.ts';

test('runs list/show/pause/tune: --json shapes, tables, exit codes; metrics follow', async (t) => {
  const h = await createHarness({ name: 'cli-runs' });
  t.after(() => h.close());
  const cwd = await mkdtemp(join(tmpdir(), 'nestor-runs-cli-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  const env = h.cliEnv();
  const cli = (...args: string[]) => runMain(args, { cwd, env });
  const ask = async <T>(op: Parameters<typeof requestRuns>[1], req: Parameters<typeof requestRuns>[2]): Promise<T> => {
    const reply = await requestRuns<T>(h.bus, op, req);
    if (!reply.ok) throw new Error(`${op}: ${reply.code} ${reply.message}`);
    return reply.data;
  };

  const run = await ask<Run>('create', { body: { experiment: 'mnist', version: '3', params: { lr: 0.1 }, heartbeatIntervalMs: 60_000 }, by: 'test' });
  await ask('heartbeat', { id: run.id, body: { step: 5, checkpointVersion: 1, metrics: { loss: 0.5 }, runtimeStatus: 'training' } });
  const other = await ask<Run>('create', { body: { experiment: 'cifar', version: '1' }, by: 'test' });

  const list = await cli('runs', 'list', '--json');
  assert.equal(list.code, 0, list.stderr);
  const listed = list.json<{ runs: Run[] }>().runs;
  assert.deepEqual(listed.map((r) => r.id).sort(), [run.id, other.id].sort());
  assert.equal(listed.find((r) => r.id === run.id)?.state, 'running');

  const table = await cli('runs', 'list');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^RUN\s+EXPERIMENT\s+STATE\s+HEALTH\s+STEP\s+CKPT\s+HEARTBEAT\s+PENDING\s+METRIC$/m);
  assert.match(table.stdout, new RegExp(`^${run.id}\\s+mnist@3\\s+running\\s+healthy\\s+5\\s+1\\s+\\S+ ago\\s+0\\s+loss 0\\.5`, 'm'));
  assert.match(table.stdout, new RegExp(`^${other.id}\\s+cifar@1\\s+queued\\s+healthy\\s+0\\s+0\\s+never`, 'm'));

  const filtered = await cli('runs', 'list', '--experiment', 'cifar', '--json');
  assert.deepEqual(filtered.json<{ runs: Run[] }>().runs.map((r) => r.id), [other.id]);
  const byState = await cli('runs', 'list', '--state', 'queued', '--json');
  assert.deepEqual(byState.json<{ runs: Run[] }>().runs.map((r) => r.id), [other.id]);

  const badState = await cli('runs', 'list', '--state', 'sleeping');
  assert.equal(badState.code, 2);
  assert.match(badState.stderr, /--state "sleeping": expected one of queued, running, paused, succeeded, failed, terminated/);
  const badHealth = await cli('runs', 'list', '--health', 'fine');
  assert.equal(badHealth.code, 2);
  assert.match(badHealth.stderr, /--health "fine": expected one of healthy, late, stale, lost/);

  const show = await cli('runs', 'show', run.id, '--json');
  assert.equal(show.code, 0, show.stderr);
  assert.deepEqual([show.json<Run>().id, show.json<Run>().step, show.json<Run>().params], [run.id, 5, { lr: 0.1 }]);
  const human = await cli('runs', 'show', run.id);
  assert.match(human.stdout, /^experiment\s+mnist@3$/m);
  assert.match(human.stdout, /^status\s+training$/m);
  assert.match(human.stdout, /^params\s+lr=0\.1$/m);
  assert.match(human.stdout, /state queued → running/);

  const missing = await cli('runs', 'show', 'r-nope');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no run r-nope/);
  const missingPause = await cli('runs', 'pause', 'r-nope');
  assert.equal(missingPause.code, 1);
  assert.match(missingPause.stderr, /no run r-nope/);

  // pause: sent now, the state follows the job's ack.
  const pause = await cli('runs', 'pause', run.id, '--json');
  assert.equal(pause.code, 0, pause.stderr);
  const sent = pause.json<{ ok: boolean; run: string; command: RunCommand; created: boolean }>();
  assert.deepEqual([sent.ok, sent.run, sent.command.type, sent.command.requestedBy, sent.created], [true, run.id, 'pause', 'cli', true]);
  assert.equal((await cli('runs', 'show', run.id, '--json')).json<Run>().state, 'running');
  const next = await ask<RunCommand>('next', { id: run.id });
  assert.equal(next.id, sent.command.id);
  await ask('ack', { id: run.id, commandId: next.id });
  assert.equal((await cli('runs', 'show', run.id, '--json')).json<Run>().state, 'paused');
  const resume = await cli('runs', 'resume', run.id);
  assert.equal(resume.code, 0, resume.stderr);
  assert.match(resume.stdout, new RegExp(`^resume sent to run ${run.id} \\(command \\S+\\); its state changes when the job acknowledges it`, 'm'));

  const tune = await cli('runs', 'tune', run.id, 'lr=0.01', 'optimizer=adam', 'layers=[64,32]', '--json');
  assert.equal(tune.code, 0, tune.stderr);
  assert.deepEqual(tune.json<{ command: RunCommand }>().command.params, { lr: 0.01, optimizer: 'adam', layers: [64, 32] });
  const noPairs = await cli('runs', 'tune', run.id);
  assert.equal(noPairs.code, 2);
  assert.match(noPairs.stderr, /at least one key=value pair/);
  const notPair = await cli('runs', 'tune', run.id, 'lr');
  assert.equal(notPair.code, 2);
  assert.match(notPair.stderr, /"lr" is not key=value/);

  // watch: a snapshot, then each change of the run as the events tell it.
  const watchJson = h.startCli(['runs', 'watch', run.id, '--json']);
  const snapshot = JSON.parse(await watchJson.waitForLine(/"kind":"snapshot"/)) as { runs: { id: string }[] };
  assert.deepEqual(snapshot.runs.map((r) => r.id), [run.id]);
  const watchLines = h.startCli(['runs', 'watch']);
  await watchLines.waitForLine(new RegExp(`^${run.id}\\s+mnist@3\\s+paused`));
  await ask('heartbeat', { id: run.id, body: { step: 7, checkpointVersion: 2, metrics: { loss: 0.25 } } });
  const change = JSON.parse(await watchJson.waitForLine(/"kind":"change"/)) as { type: string; run: { id: string; step: number } };
  assert.deepEqual([change.type, change.run.id, change.run.step], ['orchestrator.run.heartbeat', run.id, 7]);
  await watchLines.waitForLine(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  ${run.id}  step 7 ckpt 2 loss=0\\.25`));
  assert.equal((await watchJson.interrupt()).code, 0);
  assert.equal((await watchLines.interrupt()).code, 0);
  const watchMissing = await cli('runs', 'watch', 'r-nope');
  assert.equal(watchMissing.code, 1);
  assert.match(watchMissing.stderr, /no run r-nope/);

  // /metrics of the node: runs by state and health, the pause's delivery and ack.
  let metrics = '';
  await until('the paused run in /metrics', async () => {
    metrics = await (await fetch(`${h.node.api.url}/metrics`)).text();
    return /^nestor_runs\{state="paused"\} 1$/m.test(metrics) && /^nestor_run_command_ack_seconds_count\{type="pause"\} 1$/m.test(metrics);
  });
  assert.match(metrics, /^nestor_runs\{state="paused"\} 1$/m);
  assert.match(metrics, /^nestor_runs\{state="queued"\} 1$/m);
  assert.match(metrics, /^nestor_runs\{state="succeeded"\} 0$/m);
  assert.match(metrics, /^nestor_runs_health\{health="healthy"\} 2$/m);
  assert.match(metrics, /^nestor_run_heartbeat_lag_seconds\{stat="max"\} \d/m);
  assert.match(metrics, /^nestor_run_command_delivery_seconds_count\{type="pause"\} 1$/m);
  assert.match(metrics, /^nestor_run_command_ack_seconds_count\{type="pause"\} 1$/m);
  assert.match(metrics, /^nestor_run_command_delivery_seconds_count\{type="tune"\} 0$/m);
});
