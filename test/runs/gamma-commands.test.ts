// Run commands against a real job: the gamma demo, built as users get it, supervised by a node
// booted as `nestor up` boots it, talking to the registry through the SDK over a real
// nats-server. What is checked is what a user sees: the run's record and the job's process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { alive, buildGamma, gammaSpec, procState, sendCommand, until, waitRun, waitRunOf } from './gamma-helpers.ts';

let gamma: { bin: string; remove(): Promise<void> };
before(async () => {
  gamma = await buildGamma();
});
after(async () => {
  await gamma.remove();
});

async function node(t: { after(fn: () => Promise<void>): void }, name: string, env: Record<string, string>, output?: string[]): Promise<Harness> {
  const console = output === undefined ? undefined : { colour: false, write: (lines: string) => void output.push(...lines.split('\n')) };
  const h = await createHarness({ name, specs: { gamma: gammaSpec(gamma.bin, { GAMMA_EXPERIMENT: name, ...env }) }, console });
  t.after(() => h.close());
  return h;
}

test('pause stops the job and its process; resume continues from the same step', async (t) => {
  const output: string[] = [];
  const h = await node(t, 'gamma-pause', {}, output);
  const started = await waitRunOf(h.bus, 'gamma-pause', 'running past step 5', (r) => r.state === 'running' && r.step >= 5);
  const pid = started.binding?.pid;
  assert.ok(pid !== undefined && pid !== null, 'the run is bound to the job process');
  assert.equal(started.binding?.service, 'gamma');
  assert.equal(started.binding?.instance, 'gamma');
  assert.equal(started.binding?.processControl, true);

  await sendCommand(h.bus, started.id, { type: 'pause' });
  const paused = await waitRun(h.bus, started.id, 'paused', (r) => r.state === 'paused');
  await until('the job process stopped (T)', async () => ((await procState(pid)) === 'T' ? true : undefined));
  // Ten step intervals: a job still counting would have moved on.
  await sleep(500);
  const still = await waitRun(h.bus, started.id, 'read', () => true);
  assert.equal(still.step, paused.step, 'no step while paused');
  assert.equal(await procState(pid), 'T');

  await sendCommand(h.bus, started.id, { type: 'resume' });
  const resumed = await waitRun(h.bus, started.id, 'running past its paused step', (r) => r.state === 'running' && r.step > paused.step);
  assert.notEqual(await procState(pid), 'T');
  assert.equal(resumed.binding?.pid, pid, 'the same process carried on');
  // The job carries on from its step (it says so), and the heartbeat events (samples, at most
  // one a second) after the resume all report later steps.
  assert.ok(output.some((l) => l.endsWith(`gamma: resumed at step ${paused.step}`)), output.join('\n'));
  const events = h.events();
  const resumedAt = events.findIndex((e) => e.type === 'orchestrator.run.command.acked' && (e.data as { type: string }).type === 'resume');
  const later = events.slice(resumedAt).filter((e) => e.type === 'orchestrator.run.heartbeat').map((e) => (e.data as { step: number }).step);
  assert.ok(later.every((s) => s > paused.step), `steps after the resume: ${later.join(',')}`);
  const acked = resumed.commands.map((c) => [c.type, c.acknowledgedAt !== null]);
  assert.deepEqual(acked, [
    ['pause', true],
    ['resume', true],
  ]);
});

test('tune changes the learning rate the job reports', async (t) => {
  const h = await node(t, 'gamma-tune', { GAMMA_LR: '0.1' });
  const run = await waitRunOf(h.bus, 'gamma-tune', 'running', (r) => r.state === 'running' && r.step >= 2);
  assert.equal(run.metrics.lr, 0.1);
  const { command } = await sendCommand(h.bus, run.id, { type: 'tune', params: { lr: 0.5 } });
  const tuned = await waitRun(h.bus, run.id, 'reporting lr 0.5', (r) => r.metrics.lr === 0.5);
  assert.equal(tuned.params.lr, 0.5, 'the acked tune is merged into the params');
  const cmd = tuned.commands.find((c) => c.id === command.id);
  assert.ok(cmd?.deliveredAt !== null && cmd?.acknowledgedAt !== null, 'delivered and acknowledged');
});

test('terminate ends the job within its grace period', async (t) => {
  const h = await node(t, 'gamma-terminate', { GAMMA_TERMINATE_GRACE_MS: '20000' });
  const run = await waitRunOf(h.bus, 'gamma-terminate', 'running', (r) => r.state === 'running');
  const pid = run.binding?.pid as number;
  const { command } = await sendCommand(h.bus, run.id, { type: 'terminate' });
  const ended = await waitRun(h.bus, run.id, 'terminated', (r) => r.state === 'terminated');
  assert.equal(ended.error, 'terminate acknowledged', 'the job acknowledged it (not the supervisor after the grace period)');
  assert.ok(Date.parse(ended.finishedAt as string) - Date.parse(command.createdAt) < 20_000, 'within the grace period');
  await h.waitForState('gamma', 'completed');
  assert.equal(alive(pid), false);
});

test('a job that ignores terminate is stopped by the supervisor after the grace period', async (t) => {
  const h = await node(t, 'gamma-ignore', { GAMMA_IGNORE_TERMINATE: '1', GAMMA_TERMINATE_GRACE_MS: '1500' });
  const run = await waitRunOf(h.bus, 'gamma-ignore', 'running', (r) => r.state === 'running');
  const pid = run.binding?.pid as number;
  await sendCommand(h.bus, run.id, { type: 'terminate' });
  const ended = await waitRun(h.bus, run.id, 'terminated', (r) => r.state === 'terminated');
  assert.equal(ended.error, 'terminate not acknowledged within 1.5s');
  await h.waitForState('gamma', 'stopped');
  assert.equal(alive(pid), false, 'the process is gone');
  const stop = h.events().find((e) => e.type === 'orchestrator.command.stop');
  assert.equal((stop?.data as { requestedBy?: { component: string } } | undefined)?.requestedBy?.component, 'runs', 'a normal stop command, from the runs effects');
});
