// `nestor up --detach`: runs the same `nestor up` (same arguments without --detach) as a
// detached child writing to `<dataDir>/nestor-up.log`, waits for it to announce itself (its
// runtime info), then follows the stream until every service of this run has settled (ready,
// completed, failed or disabled), like `docker compose up --wait`. Exit 0 when every enabled
// service is ready or completed (or a scheduled job waiting for its time), 1 otherwise; the stack keeps running either way. A node still
// waiting for its cluster peers when the wait ends also stays: it joins once they are up.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { readRuntimeInfo } from '../config/index.ts';
import type { NestorConfig, RuntimeInfo } from '../config/index.ts';
import { followState } from '../bus/index.ts';
import { tailLog } from '../process/index.ts';
import { parseDuration } from '../spec/index.ts';
import { blockedBy, isSettled } from '../state/index.ts';
import { selectServiceRows, selectStatusJson } from '../views/index.ts';
import type { State } from '../state/index.ts';
import type { NestorEvent, Stored } from '../events/index.ts';
import { closedSignal, fromRuntimeInfo, openConnection } from './connect.ts';
import type { CliContext } from './context.ts';
import { CliFailure, UsageError } from './errors.ts';
import { renderRows } from './table.ts';
import type { Terminal } from './terminal.ts';
import { applyAgain, prepareUp } from './up.ts';
import type { UpFlags } from './up.ts';

/** The executable the detached child runs (this package's own bin). */
export const NESTOR_BIN = fileURLToPath(new URL('../../bin/nestor.js', import.meta.url));

/** Name of the detached stack's output file in the data dir. */
export const UP_LOG = 'nestor-up.log';

/** Extra flags of `up --detach`. */
export interface DetachFlags extends UpFlags {
  json?: boolean;
  /** How long to wait for every service to settle (a duration); the stack keeps running after. */
  waitTimeout?: string;
}

/** Starts the stack in the background and waits for it to settle. `upArgs` are the words after `up`. */
export async function runDetached(upArgs: string[], flags: DetachFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const waitMs = parseWait(flags.waitTimeout);
  const { config, project, running } = await prepareUp(flags, ctx);
  if (running !== null) return applyAgain(flags, running, ctx, term);
  const expected = { enabled: project.enabled, all: project.order };
  const logFile = join(config.dataDir, UP_LOG);
  const spawnedAt = Date.now();
  const child = spawnUp(upArgs.filter((a) => a !== '--detach' && a !== '-d'), ctx, logFile);
  const exited = exitOf(child);
  term.info(`started nestor up in the background (pid ${child.pid}); output in ${logFile}`);
  try {
    const info = await waitForRuntimeInfo(config, child, exited, logFile, { spawnedAt, waitMs }, term);
    await using conn = await openConnection({ kind: 'runtime-info', config, info: fromRuntimeInfo(info) });
    const state = await waitSettled(conn.bus, { ...info, spawnedAt }, expected, waitMs, exited, logFile, closedSignal(conn), term);
    return report(state, expected, flags.json === true, term);
  } finally {
    child.unref();
  }
}

function parseWait(value: string | undefined): number {
  const ms = parseDuration(value ?? '5m');
  if (ms === null || ms <= 0) throw new UsageError(`--wait-timeout ${JSON.stringify(value)}: expected a duration such as 90s or 5m`);
  return ms;
}

/**
 * V8 flags of the detached orchestrator. Its young generation grows to 2 × 16 MB semi-spaces
 * during the start-up burst and never gives them back, so they are capped; at 4 MB rather than
 * 1 MB, because a busy path (thousands of heartbeats a second, a replay) allocates fast and a
 * 1 MB nursery had the scavenger take a quarter of the main thread. The old generation
 * otherwise grows to about twice what is live before a full collection: growing by 20% keeps
 * it smaller. The optimizing compiler stays on: without it (`--max-opt=1 --optimize-for-size`)
 * the node was 5 MB RSS and 2 MB PSS smaller at 50 idle services, but a heartbeat cost 2.4×
 * the CPU (4,000 against 9,500 a second over NATS; 71 % against 49 % of a core for 1,000 runs
 * at one heartbeat a second), and idle probing was no cheaper (docs/benchmarks.md).
 */
export const ORCHESTRATOR_NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=20'];

function spawnUp(args: string[], ctx: CliContext, logFile: string): ChildProcess {
  const fd = openSync(logFile, 'w');
  try {
    // Its own session (detached), no pipes back to us: it outlives this process and the terminal.
    const child = spawn(process.execPath, [...ORCHESTRATOR_NODE_FLAGS, NESTOR_BIN, 'up', ...args], { cwd: ctx.cwd, env: ctx.env, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new CliFailure(`could not start ${process.execPath} ${NESTOR_BIN} up`);
    return child;
  } finally {
    closeSync(fd);
  }
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

// There is no event to wait on before the child's bus exists: its runtime info file is the
// first sign of life, so this polls for it (with a deadline), racing the child's exit. A child
// waiting for its cluster peers says so in its log; that is relayed, and then the wait lasts as
// long as --wait-timeout (peers may be minutes away), not just as long as a start takes.
async function waitForRuntimeInfo(
  config: NestorConfig,
  child: ChildProcess,
  exited: Promise<{ code: number | null }>,
  logFile: string,
  budget: { spawnedAt: number; waitMs: number },
  term: Terminal,
): Promise<RuntimeInfo> {
  let gone: { code: number | null } | null = null;
  void exited.then((e) => (gone = e));
  const startMs = config.nats.startTimeoutMs + 30_000;
  const startDeadline = Date.now() + startMs;
  let waiting: string | null = null;
  let logReadAt = 0;
  for (;;) {
    if (gone !== null) throw childFailed(gone, logFile);
    const info = await readRuntimeInfo(config.dataDir).catch(() => null);
    if (info !== null && info.pid === child.pid) return info;
    if (Date.now() - logReadAt >= 500) {
      logReadAt = Date.now();
      const line = await lastClusterWait(logFile);
      if (line !== null && line !== waiting) term.info(line);
      waiting = line ?? waiting;
    }
    if (waiting !== null && Date.now() >= budget.spawnedAt + budget.waitMs) throw stillWaiting(child.pid, waiting, budget.waitMs, logFile);
    if (waiting === null && Date.now() >= startDeadline) {
      throw new CliFailure(`nestor up (pid ${child.pid}) did not come up within ${startMs / 1000}s; it may still be starting: see ${logFile}, or stop it with \`nestor down\``);
    }
    await sleep(50);
  }
}

const CLUSTER_WAIT = /waiting for the cluster: .*/g;

async function lastClusterWait(logFile: string): Promise<string | null> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.match(CLUSTER_WAIT)?.at(-1) ?? null;
}

// The node is not failing, only early: it stays up to join its cluster when the peers come.
function stillWaiting(pid: number | undefined, line: string, waitMs: number, logFile: string): Error {
  const m = /^waiting for the cluster: ([^;]*)(?:; dialling (.*))?$/.exec(line);
  const seen = m?.[1] ?? line;
  const dialling = m?.[2] === undefined ? '' : ` (it dials ${m[2]})`;
  return new CliFailure(
    `nestor up (pid ${pid}) is still waiting for its cluster peers after ${waitMs / 1000}s: ${seen}. ` +
      `It keeps running and joins the cluster once enough of them are up: start nestor up on the other members${dialling}; ` +
      `its output is in ${logFile}; \`nestor down\` stops it`,
  );
}

function childFailed(exit: { code: number | null }, logFile: string): Error {
  const tail = tailLog(logFile, 15).map((l) => `  ${l}`).join('\n');
  const message = `nestor up exited with code ${exit.code ?? 'unknown'} before the stack settled; the end of ${logFile}:\n${tail || '  (empty)'}`;
  return exit.code === 2 ? new UsageError(message) : new CliFailure(message);
}

/**
 * Follows the stream until every expected service was registered by this run and has settled,
 * relaying this run's recovery note on the way.
 */
async function waitSettled(
  bus: Parameters<typeof followState>[0],
  info: RuntimeInfo & { spawnedAt: number },
  expected: { all: string[] },
  waitMs: number,
  exited: Promise<{ code: number | null }>,
  logFile: string,
  closed: AbortSignal,
  term: Terminal,
): Promise<State> {
  const ac = new AbortController();
  let upSeq = Number.POSITIVE_INFINITY;
  const registered = new Set<string>();
  const moved = new Set<string>();
  let settled: State | null = null;
  let failure: Error | null = null;
  void exited.then((e) => {
    failure = childFailed(e, logFile);
    ac.abort();
  });
  const timer = setTimeout(() => ac.abort(), waitMs);
  try {
    const last = await followState(bus, {
      signal: AbortSignal.any([ac.signal, closed]),
      onEvent: (event, state, previous) => {
        const note = recoveryNote(event, info);
        if (note !== null) term.info(note);
        if (event.type === 'orchestrator.node.up' && event.data.pid === info.pid && event.data.node === info.node) upSeq = event.seq;
        if (event.type === 'orchestrator.service.register' && event.seq > upSeq && event.origin.node === info.node) registered.add(event.data.service);
        if (event.seq <= upSeq) return;
        // A registration keeps the state the last run left (a file store remembers it, and after
        // a crash that is a settled-looking `stopped`): only this run's controller, which answers
        // every registration with an event of its own, says where a service really is.
        const about = 'service' in event.data ? event.data.service : null;
        if (about !== null && registered.has(about) && event.type !== 'orchestrator.service.register') moved.add(about);
        for (const id of expected.all) {
          const now = state.services[id]?.state;
          // A file store remembers the last run: this run's registration starts the story anew.
          const registering = event.type === 'orchestrator.service.register' && event.data.service === id;
          const before = registering ? 'registered' : previous.services[id]?.state;
          if (now !== undefined && before !== now && registered.has(id)) term.info(`${id.padEnd(12)} ${before} → ${now}`);
        }
        if (expected.all.every((id) => moved.has(id) && state.services[id] !== undefined && isSettled(state, state.services[id]))) {
          settled = state;
          ac.abort();
        }
      },
    });
    if (settled !== null) return settled;
    if (failure !== null) throw failure;
    if (closed.aborted) {
      // The bus went away: `nestor up` is stopping or gone; its exit code and log say why.
      const exit = await Promise.race([exited, sleep(3_000).then(() => null)]);
      if (exit !== null) throw childFailed(exit, logFile);
      // Still shutting down (a slow broker stop): its log already holds the reason, e.g. a dep that failed.
      const tail = tailLog(logFile, 15).map((l) => `  ${l}`).join('\n');
      throw new CliFailure(`nestor up (pid ${info.pid}) closed its bus before the stack settled; the end of ${logFile}:\n${tail || '  (empty)'}`);
    }
    const waiting = expected.all.filter((id) => !(last.services[id] && isSettled(last, last.services[id])));
    term.error(`not settled after ${waitMs / 1000}s: ${waiting.join(', ')}; the stack keeps running (\`nestor status\`, \`nestor down\`)`);
    return last;
  } finally {
    clearTimeout(timer);
  }
}

// The child prints its recovery note to nestor-up.log only; the user watches this command, so the
// note comes from the node.down its boot published for the crashed run before its own node.up.
// A file store keeps earlier runs' notes too: only one stamped after this run was spawned counts.
function recoveryNote(event: Stored<NestorEvent>, info: { node: string; spawnedAt: number }): string | null {
  if (event.type !== 'orchestrator.node.down' || event.origin.node !== info.node || !event.data.reason.startsWith('crashed;')) return null;
  if (Date.parse(event.timestamp) < info.spawnedAt) return null;
  // Worded as `nestor up` words it in the foreground.
  const m = /^crashed; at \S+ the guardian stopped (.*)$/.exec(event.data.reason);
  return m === null ? `the previous run ${event.data.reason}` : `the previous run crashed; its guardian stopped ${m[1]}`;
}

function report(state: State, expected: { enabled: string[]; all: string[] }, json: boolean, term: Terminal): number {
  const services = Object.fromEntries(Object.entries(state.services).filter(([id]) => expected.all.includes(id)));
  const only = { ...state, services };
  // A scheduled job resting until its time is as it should be.
  const waiting = (id: string): boolean => {
    const s = only.services[id];
    return s !== undefined && s.schedule !== null && s.state === 'stopped';
  };
  const bad = expected.enabled.filter((id) => !['ready', 'completed'].includes(only.services[id]?.state ?? 'pending') && !waiting(id));
  if (json) term.out(JSON.stringify(selectStatusJson(only)));
  else for (const line of renderRows(selectServiceRows(only, new Date()))) term.out(line);
  if (bad.length > 0) {
    term.error(`not ready: ${bad.map((id) => whyNotReady(only, id)).join('; ')}`);
    term.error(`\`nestor status ${bad[0]}\` shows why, \`nestor logs ${bad[0]}\` its output; \`nestor down\` stops the stack`);
    return 1;
  }
  return 0;
}

// "beta blocked: alpha failed", "alpha failed (exited with code 3)": the service and its reason.
function whyNotReady(state: State, id: string): string {
  const s = state.services[id];
  if (s === undefined) return `${id} not registered`;
  const blocked = blockedBy(state, s);
  if (blocked !== null) return `${id} ${blocked.reason}`;
  return s.lastError === null ? `${id} ${s.state}` : `${id} ${s.state} (${s.lastError})`;
}
