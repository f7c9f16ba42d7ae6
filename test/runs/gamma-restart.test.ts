// A run outlives its job's process and its node: a command sent while the job is down waits in
// the run and is delivered (and acknowledged once) when the job comes back, and after a restart
// of the node the job, restarted, attaches to the same run and continues from its checkpoint.
// Against a nats-server started here, so the stream and the runs bucket outlive the first node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvents } from '../../src/bus/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { onCleanup, plainNatsServer } from '../bus/helpers.ts';
import type { CleanupContext } from '../bus/helpers.ts';
import { buildGamma, gammaSpec, getRun, sendCommand, waitRun, waitRunOf } from './gamma-helpers.ts';

let gamma: { bin: string; remove(): Promise<void> };
before(async () => {
  gamma = await buildGamma();
});
after(async () => {
  await gamma.remove();
});

async function node(t: CleanupContext, url: string, name: string, env: Record<string, string>, lines: string[]): Promise<Harness> {
  const h = await createHarness({
    name,
    flags: { nats: { urls: [url] } },
    specs: { gamma: gammaSpec(gamma.bin, env) },
    console: { colour: false, write: (text) => void lines.push(...text.split('\n')) },
  });
  onCleanup(t, () => h.close());
  return h;
}

test('a command sent while the job is down is delivered once when it is back; the run survives a node restart and the job continues from its checkpoint', async (t) => {
  const url = await plainNatsServer((fn) => onCleanup(t, fn), { jetstream: true });
  const checkpoints = await mkdtemp(join(tmpdir(), 'nestor-gamma-ckpt-'));
  onCleanup(t, () => rm(checkpoints, { recursive: true, force: true }));
  const env = { GAMMA_EXPERIMENT: 'gamma-restart', GAMMA_DATA_DIR: checkpoints, GAMMA_LR: '0.1' };

  const firstLines: string[] = [];
  const first = await node(t, url, 'gamma-restart-1', env, firstLines);
  const run = await waitRunOf(first.bus, 'gamma-restart', 'two checkpoints', (r) => r.state === 'running' && r.checkpointVersion >= 2);
  const firstPid = run.binding?.pid;

  const stopped = await first.command('stop', 'gamma');
  assert.equal(stopped.ok, true, stopped.message);
  const down = await waitRun(first.bus, run.id, 'lost once its process is gone', (r) => r.health === 'lost');
  assert.equal(down.transitions.at(-1)?.reason, 'process gone');
  const { command } = await sendCommand(first.bus, run.id, { id: 'tune-while-down', type: 'tune', params: { lr: 0.3 } });
  assert.equal(command.deliveredAt, null, 'nobody to deliver it to');
  await first.close();

  const lines: string[] = [];
  const second = await node(t, url, 'gamma-restart-2', env, lines);
  const back = await waitRun(second.bus, run.id, 'the tune acknowledged and new steps', (r) => {
    const c = r.commands.find((x) => x.id === command.id);
    return c?.acknowledgedAt !== null && c?.acknowledgedAt !== undefined && r.step > down.step && r.metrics.lr === 0.3;
  });
  assert.equal(back.state, 'running');
  assert.equal(back.health, 'healthy', 'heartbeats again');
  assert.equal(back.params.lr, 0.3);
  assert.equal(back.binding?.node, second.config.node, 'bound to the new node');
  assert.notEqual(back.binding?.pid, firstPid, 'a new process');
  assert.ok(back.checkpointVersion >= down.checkpointVersion);
  const resumed = lines.find((l) => /resuming from checkpoint \d+ at step \d+/.test(l));
  assert.ok(resumed !== undefined, `the job said where it resumed:\n${lines.join('\n')}`);
  const [, ckptStep] = /at step (\d+)/.exec(resumed) ?? [];
  assert.ok(Number(ckptStep) > 0 && Number(ckptStep) <= down.step, `resumed at its checkpoint (${ckptStep}), not from 0 and not past what it reported (${down.step})`);

  const acks: number[] = [];
  for await (const r of readEvents(second.bus)) {
    if (r.ok && (r.event.type as string) === 'orchestrator.run.command.acked' && (r.event.data as { commandId: string }).commandId === command.id) acks.push(r.event.seq);
  }
  assert.equal(acks.length, 1, 'acknowledged once');
  const final = await getRun(second.bus, run.id);
  assert.equal(final.commands.filter((c) => c.id === command.id).length, 1);
});

test('a terminate left unacknowledged across a node restart still stops the job once its grace period is over', async (t) => {
  const url = await plainNatsServer((fn) => onCleanup(t, fn), { jetstream: true });
  const checkpoints = await mkdtemp(join(tmpdir(), 'nestor-gamma-ckpt-'));
  onCleanup(t, () => rm(checkpoints, { recursive: true, force: true }));
  const env = { GAMMA_EXPERIMENT: 'gamma-restart-terminate', GAMMA_DATA_DIR: checkpoints, GAMMA_IGNORE_TERMINATE: '1', GAMMA_TERMINATE_GRACE_MS: '4000' };

  const first = await node(t, url, 'gamma-restart-terminate-1', env, []);
  const run = await waitRunOf(first.bus, 'gamma-restart-terminate', 'running', (r) => r.state === 'running');
  const { command } = await sendCommand(first.bus, run.id, { type: 'terminate' });
  await first.close();

  const lines: string[] = [];
  const second = await node(t, url, 'gamma-restart-terminate-2', env, lines);
  const ended = await waitRun(second.bus, run.id, 'terminated', (r) => r.state === 'terminated');
  assert.equal(ended.error, 'terminate not acknowledged within 4s');
  assert.ok(lines.some((l) => l.includes(`terminate ${command.id} ignored`)), `the restarted job was handed the terminate again:\n${lines.join('\n')}`);
  await second.waitForState('gamma', 'stopped');
});
