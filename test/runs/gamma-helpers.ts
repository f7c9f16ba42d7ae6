// Helpers for the tests of runs with real jobs: the gamma demo built as users get it (src/dep),
// its spec for a harness node, the registry's bus requests, and polling for what a user
// would look at (a run's record, a process's state in /proc).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestRuns } from '../../src/bus/index.ts';
import type { BusReader } from '../../src/bus/index.ts';
import { ensureDeps } from '../../src/dep/index.ts';
import type { CommandInput, Run, RunSummary } from '../../src/runs/core/index.ts';
import { PROJECT_DIR } from '../demo/helpers.ts';

/** Builds gamma into a fresh temp dep dir; returns the binary and a cleanup. */
export async function buildGamma(): Promise<{ bin: string; remove(): Promise<void> }> {
  const depDir = await mkdtemp(join(tmpdir(), 'nestor-gamma-dep-'));
  const [built] = await ensureDeps([{ name: 'gamma', version: '0.1.0', source: 'local', entry: 'demo/gamma/main.ts' }], { projectDir: PROJECT_DIR, depDir });
  if (built === undefined) throw new Error('gamma was not built');
  return { bin: built.path, remove: () => rm(depDir, { recursive: true, force: true }) };
}

/** A gamma service spec, as a project file's `services.gamma`, with quick steps. */
export function gammaSpec(bin: string, env: Record<string, string>): Record<string, unknown> {
  return {
    kind: 'oneshot',
    process: {
      command: bin,
      restartPolicy: 'on-failure',
      env: { GAMMA_STEPS: '100000', GAMMA_STEP_MS: '50', GAMMA_CHECKPOINT_EVERY: '10', GAMMA_HEARTBEAT_MS: '500', ...env },
    },
  };
}

/** The registry's answer to one request, its data or a thrown error naming the code. */
export async function runsCall<T>(bus: BusReader, op: Parameters<typeof requestRuns>[1], req: Parameters<typeof requestRuns>[2]): Promise<T> {
  const reply = await requestRuns<T>(bus, op, req);
  if (!reply.ok) throw new Error(`${op}: ${reply.code}: ${reply.message}`);
  return reply.data;
}

/** Sends a command as the CLI does. */
export function sendCommand(bus: BusReader, id: string, input: CommandInput): Promise<{ command: Run['commands'][number]; created: boolean }> {
  return runsCall(bus, 'command', { id, body: input, by: 'test' });
}

/** The run's record. */
export function getRun(bus: BusReader, id: string): Promise<Run> {
  return runsCall<Run>(bus, 'get', { id });
}

/** Polls `probe` every 50 ms until it returns a value other than undefined; fails after timeoutMs with the last value seen. */
export async function until<T>(description: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}${last === undefined ? '' : `: ${String(last)}`}`);
    await sleep(50);
  }
}

/** Waits for the run of `experiment` (the only one) and returns it once `check` holds. */
export function waitRunOf(bus: BusReader, experiment: string, description: string, check: (r: Run) => boolean = () => true, timeoutMs?: number): Promise<Run> {
  return until(
    `a run of ${experiment}: ${description}`,
    async () => {
      const { runs } = await runsCall<{ runs: RunSummary[] }>(bus, 'list', { body: { experiment } });
      const summary = runs[0];
      if (summary === undefined) return undefined;
      const run = await getRun(bus, summary.id);
      return check(run) ? run : undefined;
    },
    timeoutMs,
  );
}

/** Waits until the run `id` satisfies `check`. */
export function waitRun(bus: BusReader, id: string, description: string, check: (r: Run) => boolean, timeoutMs?: number): Promise<Run> {
  return until(`run ${id}: ${description}`, async () => {
    const run = await getRun(bus, id);
    return check(run) ? run : undefined;
  }, timeoutMs);
}

/** The one-letter state of a process (`R`, `S`, `T` stopped...), null when it is gone. */
export async function procState(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

/** True while a process with this pid exists (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
