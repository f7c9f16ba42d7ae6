// Gamma's run: one step every stepMs, a heartbeat per step (loss falling at a rate set by lr), a
// checkpoint file every checkpointEvery steps, and the run's commands applied as they come.
// A restarted gamma attaches to its unfinished run and continues from its checkpoint file.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunRequestError, startRun } from '../../src/sdk/index.ts';
import type { RunCommandDelivery, RunHandle } from '../../src/sdk/index.ts';
import type { GammaConfig } from './config.ts';

const INITIAL_LOSS = 2.5;
const FLOOR_LOSS = 0.05;

/** What gamma keeps in `<dataDir>/checkpoint.json`. */
export interface Checkpoint {
  runId: string;
  step: number;
  checkpointVersion: number;
  loss: number;
  lr: number;
}

/** The loss after one more step at learning rate `lr`: it falls towards a floor, faster with a larger lr. */
export function nextLoss(loss: number, lr: number): number {
  return FLOOR_LOSS + (loss - FLOOR_LOSS) * (1 - Math.min(lr, 1) * 0.1);
}

/** Runs the job to its end; resolves with the process's exit code. */
export async function runGamma(cfg: GammaConfig, say: (line: string) => void): Promise<number> {
  const run = await startRun(
    { name: 'gamma' },
    {
      experiment: cfg.experiment,
      version: cfg.version,
      params: { steps: cfg.steps, lr: cfg.lr, checkpointEvery: cfg.checkpointEvery },
      heartbeatIntervalMs: cfg.heartbeatIntervalMs,
      processControl: cfg.processControl,
      ...(cfg.terminateGraceMs === undefined ? {} : { terminateGraceMs: cfg.terminateGraceMs }),
    },
  );
  const rec = run.record;
  const steps = positive(rec.params.steps) ?? cfg.steps;
  const every = positive(rec.params.checkpointEvery) ?? cfg.checkpointEvery;
  const ckpt = await readCheckpoint(cfg.dataDir, rec.id);
  const job = {
    lr: positive(rec.params.lr) ?? cfg.lr,
    step: ckpt?.step ?? 0,
    loss: ckpt?.loss ?? INITIAL_LOSS,
    version: Math.max(ckpt?.checkpointVersion ?? 0, rec.checkpointVersion),
    paused: rec.state === 'paused',
    terminate: null as RunCommandDelivery | null,
  };
  // Heartbeats never go backwards: steps replayed from an older checkpoint are not reported again.
  let reported = rec.step;
  let wake: () => void = () => {};
  say(
    `gamma: run ${rec.id} ${run.attached ? 'attached' : 'created'}; ${ckpt === null ? 'starting at step 0' : `resuming from checkpoint ${ckpt.checkpointVersion} at step ${ckpt.step}`}, lr ${job.lr}, ${steps} steps`,
  );

  const commands = (async () => {
    for await (const cmd of run.commands()) {
      try {
        if (cmd.type === 'pause') {
          job.paused = true;
          await cmd.ack();
          say(`gamma: paused at step ${job.step}`);
        } else if (cmd.type === 'resume') {
          job.paused = false;
          await cmd.ack();
          say(`gamma: resumed at step ${job.step}`);
        } else if (cmd.type === 'tune') {
          const lr = positive(cmd.params.lr);
          if (lr !== undefined) job.lr = lr;
          await cmd.ack();
          say(`gamma: tuned ${JSON.stringify(cmd.params)} at step ${job.step}; lr ${job.lr}`);
        } else if (cmd.type === 'terminate') {
          if (cfg.ignoreTerminate) {
            say(`gamma: terminate ${cmd.id} ignored (GAMMA_IGNORE_TERMINATE)`);
            continue;
          }
          job.terminate = cmd;
        }
      } catch (err) {
        say(`gamma: command ${cmd.id} (${cmd.type}) not applied: ${(err as Error).message}`);
      }
      wake();
    }
  })();

  try {
    while (job.step < steps && job.terminate === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, job.paused ? 60_000 : cfg.stepMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (job.paused || job.terminate !== null) continue;
      job.step++;
      job.loss = nextLoss(job.loss, job.lr);
      if (job.step % every === 0 || job.step === steps) {
        job.version++;
        await writeCheckpoint(cfg.dataDir, { runId: rec.id, step: job.step, checkpointVersion: job.version, loss: job.loss, lr: job.lr });
      }
      if (job.step <= reported) continue;
      const ended = await beat(run, job, say);
      if (ended) return 0;
      reported = job.step;
    }
    if (job.terminate !== null) {
      job.version++;
      await writeCheckpoint(cfg.dataDir, { runId: rec.id, step: job.step, checkpointVersion: job.version, loss: job.loss, lr: job.lr });
      await job.terminate.ack();
      say(`gamma: terminated at step ${job.step}`);
      return 0;
    }
    await run.finish({ state: 'succeeded' });
    say(`gamma: succeeded after ${job.step} steps, loss ${job.loss.toFixed(4)}`);
    return 0;
  } finally {
    await run.close();
    await commands.catch(() => {});
  }
}

// One heartbeat; true when the run has ended elsewhere (terminated past its grace period).
async function beat(run: RunHandle, job: { step: number; version: number; loss: number; lr: number }, say: (line: string) => void): Promise<boolean> {
  try {
    await run.heartbeat({ step: job.step, checkpointVersion: job.version, metrics: { loss: round(job.loss), lr: job.lr }, runtimeStatus: 'training' });
  } catch (err) {
    if (err instanceof RunRequestError && err.code === 'finished') {
      say(`gamma: the run has ended: ${err.message}`);
      return true;
    }
    // The registry is unreachable for a moment (a node restarting): the next step reports again.
    say(`gamma: heartbeat at step ${job.step} not recorded: ${(err as Error).message}`);
  }
  return false;
}

/** The checkpoint of run `runId`, or null (none yet, or one of another run). */
export async function readCheckpoint(dataDir: string, runId: string): Promise<Checkpoint | null> {
  try {
    const c = JSON.parse(await readFile(join(dataDir, 'checkpoint.json'), 'utf8')) as Checkpoint;
    return c.runId === runId ? c : null;
  } catch {
    return null;
  }
}

async function writeCheckpoint(dataDir: string, c: Checkpoint): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, 'checkpoint.json');
  // Renamed into place so a crash mid-write leaves the previous checkpoint whole.
  await writeFile(`${file}.tmp`, JSON.stringify(c));
  await rename(`${file}.tmp`, file);
}

function positive(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
