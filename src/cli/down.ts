// `nestor down`: stops the running `nestor up` of this project (or of NESTOR_URL, when it runs
// on this host) with SIGTERM, shows the services stopping, and returns once that process is
// gone. `nestor up` exits only after every service process group has exited, and down checks
// the service pids it saw before stopping are gone too. A `nestor up` still starting (waiting for
// its cluster peers) is found through its nats-server's owner file and stopped the same way.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { followState, serverPaths } from '../bus/index.ts';
import { isProcessAlive, processArgv } from '../process/index.ts';
import { parseDuration } from '../spec/index.ts';
import type { State } from '../state/index.ts';
import { closedSignal, findTarget, loadCliConfig, openConnection } from './connect.ts';
import type { Connection } from './connect.ts';
import type { CliContext } from './context.ts';
import { CliFailure, NotRunningError, UsageError } from './errors.ts';
import { stateAtPoint } from './history.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor down`. */
export interface DownFlags {
  file?: string;
  timeout?: string;
  /** After the timeout, send a second SIGTERM (which makes `up` SIGKILL every process group). */
  force?: boolean;
}

/** Stops the stack; exit 0 once every process is gone. */
export async function runDown(flags: DownFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const timeoutMs = parseDuration(flags.timeout ?? '60s');
  if (timeoutMs === null || timeoutMs <= 0) throw new UsageError(`--timeout ${JSON.stringify(flags.timeout)}: expected a duration such as 30s or 2m`);
  const target = await findTarget(ctx, flags.file).catch(async (err: unknown) => {
    if (!(err instanceof NotRunningError) || ctx.env.NESTOR_URL?.trim()) throw err;
    return (await startingNode(ctx, flags.file)) ?? Promise.reject(err);
  });
  if (typeof target === 'number') return stopStarting(target, timeoutMs, flags.force === true, term);
  // The bus shows progress and which pids to check; down still works when it does not answer.
  const conn = await openConnection(target).catch((err: unknown) => {
    if (target.kind === 'url') throw err;
    term.info(`the bus does not answer (${(err as Error).message}); stopping without progress`);
    return null;
  });
  const info = conn?.info ?? (target.kind === 'runtime-info' ? target.info : null);
  if (info === null) throw new CliFailure('could not learn which process runs the instance');
  if (info.hostname !== null && info.hostname !== hostname()) {
    await conn?.close();
    throw new CliFailure(`the instance at ${info.nats} runs on host ${info.hostname}, not here; run \`nestor down\` there`);
  }
  // Progress follows from this state's sequence on, so no transition after it is missed.
  // The last node of a cluster may have no stream quorum left to read: it stops without progress.
  const before =
    conn === null
      ? null
      : await stateAtPoint(conn.bus).catch((err: unknown) => {
          term.info(`the event stream does not answer (${(err as Error).message}); stopping without progress`);
          return null;
        });
  const pids = before === null ? [] : servicePids(before, info.node);
  const progress = conn === null || before === null ? null : showProgress(conn, before, term);
  try {
    term.info(`stopping nestor up (pid ${info.pid}, node ${info.node})`);
    signal(info.pid, 'SIGTERM');
    let gone = await waitGone(info.pid, timeoutMs);
    if (!gone && flags.force) {
      term.info(`still running after ${timeoutMs / 1000}s: forcing (every process group gets SIGKILL)`);
      signal(info.pid, 'SIGTERM');
      gone = await waitGone(info.pid, 15_000);
    }
    if (!gone) {
      throw new CliFailure(`nestor up (pid ${info.pid}) is still stopping after ${timeoutMs / 1000}s; wait, or run \`nestor down --force\``);
    }
  } finally {
    progress?.abort();
    await conn?.close();
  }
  const left = await alive(pids);
  if (left.length > 0) {
    throw new CliFailure(`nestor up exited but service processes are still alive: ${left.join(', ')}; stop them with kill -- -PID`);
  }
  term.info('stopped');
  return 0;
}

// A node still starting (waiting for its cluster peers, say) has no runtime info yet, but it has
// launched its nats-server and recorded itself as that server's owner.
async function startingNode(ctx: CliContext, file: string | undefined): Promise<number | null> {
  const config = await loadCliConfig(ctx, file);
  const text = await readFile(serverPaths(config.dataDir).ownerFile, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  // The file may outlive its process and the pid be reused: only a `nestor up` counts.
  const argv = (await processArgv(pid)) ?? [];
  return argv.some((a) => /nestor/.test(a)) && argv.includes('up') ? pid : null;
}

async function stopStarting(pid: number, timeoutMs: number, force: boolean, term: Terminal): Promise<number> {
  term.info(`stopping nestor up (pid ${pid}), which has not finished starting`);
  signal(pid, 'SIGTERM');
  let gone = await waitGone(pid, timeoutMs);
  if (!gone && force) {
    term.info(`still running after ${timeoutMs / 1000}s: forcing`);
    signal(pid, 'SIGTERM');
    gone = await waitGone(pid, 15_000);
  }
  if (!gone) throw new CliFailure(`nestor up (pid ${pid}) is still stopping after ${timeoutMs / 1000}s; wait, or run \`nestor down --force\``);
  term.info('stopped');
  return 0;
}

// Only this node's: in a cluster the state also lists the processes other nodes run (and a
// drain moves some of this node's there, which keep running on purpose).
function servicePids(state: State, node: string): number[] {
  return Object.values(state.services).flatMap((s) => (s.pid === null || s.node !== node ? [] : [s.pid]));
}

// Transitions while stopping, from the current end of the stream on.
function showProgress(conn: Connection, initial: State, term: Terminal): AbortController {
  const ac = new AbortController();
  void (async () => {
    await followState(conn.bus, {
      initial,
      fromSeq: initial.seq + 1,
      signal: AbortSignal.any([ac.signal, closedSignal(conn)]),
      onEvent: (_event, state, previous) => {
        for (const svc of Object.values(state.services)) {
          const before = previous.services[svc.id]?.state;
          if (before !== svc.state) term.info(`${svc.id.padEnd(12)} ${before ?? 'registered'} → ${svc.state}`);
        }
      },
    });
  })().catch(() => {
    // Progress is a courtesy: the bus going away while the stack stops is expected.
  });
  return ac;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw new CliFailure(`cannot signal pid ${pid}: ${(err as Error).message}`, { cause: err });
  }
}

// A process that is not our child has no exit event: poll its liveness with a deadline.
async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isProcessAlive(pid))) return true;
    await sleep(50);
  }
  return !(await isProcessAlive(pid));
}

async function alive(pids: number[]): Promise<number[]> {
  const out: number[] = [];
  for (const pid of pids) if (await isProcessAlive(pid)) out.push(pid);
  return out;
}
