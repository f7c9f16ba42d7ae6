// Starts one service process as the leader of its own process group and reports its output and
// exit. Contract:
//   in:  a RunPlan (command, args, env, cwd, shell, stop defaults) and an output hook
//   out: a ServiceProcess once the OS has created the process, or a SpawnError
//   never: a shell unless plan.shell is set; the orchestrator's own environment leaking in
//          (env is exactly plan.env); a restart decision (the controller owns that).
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { SpawnError, errnoCode } from './errors.ts';
import { isGroupAlive, stopGroup } from './groups.ts';
import type { StopResult } from './groups.ts';
import { processStartTime } from './proc-table.ts';
import type { RunPlan } from './types.ts';

/** Which output stream a chunk came from. */
export type OutputStream = 'stdout' | 'stderr';

/** How the leader of a service's group ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /**
   * True when the leader exited but its stdout/stderr stayed open past the grace period: some
   * other process (usually a surviving child of the group) still holds them.
   */
  stdioOpen: boolean;
}

/** Callbacks of a running service. */
export interface SpawnHooks {
  /** Raw output as it arrives; chunks do not respect line boundaries. */
  onOutput?(stream: OutputStream, chunk: Buffer): void;
  /** Called synchronously once the OS has given the child a pid, before anything is awaited:
   * the moment to record it, so a crash of the caller right now still leaves a trace of it. */
  onPid?(pid: number): void;
}

/** Tuning of spawnService that plans do not carry. */
export interface SpawnOptions {
  /** After the leader exits, how long to wait for its stdio to close before reporting the exit. */
  stdioGraceMs?: number;
}

/** A started service process (the leader of its own process group). */
export interface ServiceProcess {
  pid: number;
  /** Equal to pid: the leader's group id, target of every stop signal. */
  pgid: number;
  startedAt: Date;
  /** /proc start time in clock ticks; with pid, identifies this process across pid reuse. */
  startTime: number | null;
  /** Resolves once the leader has exited and its stdio closed (or stayed open past the grace). */
  exited: Promise<ExitInfo>;
  /** Stops the whole group (defaults: plan.stopSignal, plan.stopTimeoutMs); resolves when none of it remains. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<StopResult>;
  /** Whether any live process of the group remains (the leader or anything it forked). */
  isGroupAlive(): boolean;
}

const DEFAULT_STDIO_GRACE_MS = 2000;

/** Starts plan.command in its own process group; rejects with SpawnError when the OS refuses. */
export async function spawnService(plan: RunPlan, hooks: SpawnHooks = {}, options: SpawnOptions = {}): Promise<ServiceProcess> {
  assertDirectory(plan);
  let child: ChildProcess;
  try {
    child = spawn(plan.command, plan.args, {
      cwd: plan.cwd,
      env: plan.env,
      detached: true,
      shell: plan.shell ? true : false,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    // Invalid arguments (a NUL byte, a non-string) throw synchronously instead of emitting 'error'.
    throw new SpawnError(plan.command, plan.cwd, errnoCode(err), err instanceof Error ? err.message : String(err), { cause: err });
  }
  // Attach readers before anything can await, so no early output is lost.
  if (child.pid !== undefined) hooks.onPid?.(child.pid);
  child.stdout?.on('data', (chunk: Buffer) => hooks.onOutput?.('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => hooks.onOutput?.('stderr', chunk));
  const exited = watchExit(child, options.stdioGraceMs ?? DEFAULT_STDIO_GRACE_MS);
  const leaderExited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await spawnedOrFailed(child, plan);
  const pid = child.pid as number;
  const startedAt = new Date();
  return {
    pid,
    pgid: pid,
    startedAt,
    startTime: processStartTime(pid),
    exited,
    stop: async (signal = plan.stopSignal, timeoutMs = plan.stopTimeoutMs) => {
      const result = await stopGroup(pid, signal, timeoutMs, leaderExited);
      await exited;
      return result;
    },
    isGroupAlive: () => isGroupAlive(pid),
  };
}

// Synchronous on purpose: a stat takes microseconds, while an awaited one needs event-loop turns
// that a start storm (dozens of children booting on few cores) makes slow, delaying each spawn.
function assertDirectory(plan: RunPlan): void {
  // Node reports a missing cwd as "spawn <command> ENOENT", which blames the command; check first.
  try {
    const st = statSync(plan.cwd);
    if (!st.isDirectory()) throw new SpawnError(plan.command, plan.cwd, 'ENOTDIR', 'working directory is not a directory');
  } catch (err) {
    if (err instanceof SpawnError) throw err;
    throw new SpawnError(plan.command, plan.cwd, errnoCode(err), `working directory is not accessible (${errnoCode(err) ?? String(err)})`, {
      cause: err,
    });
  }
}

function spawnedOrFailed(child: ChildProcess, plan: RunPlan): Promise<void> {
  return new Promise((resolve, reject) => {
    const onSpawn = (): void => {
      child.off('error', onError);
      resolve();
    };
    const onError = (err: Error): void => {
      child.off('spawn', onSpawn);
      const notOnPath = errnoCode(err) === 'ENOENT' && !plan.command.includes('/') ? { service: plan.service, path: plan.env.PATH ?? null } : undefined;
      reject(new SpawnError(plan.command, plan.cwd, errnoCode(err), describeSpawnFailure(err, plan), { cause: err, ...(notOnPath ? { notOnPath } : {}) }));
    };
    child.once('spawn', onSpawn);
    child.once('error', onError);
  });
}

function describeSpawnFailure(err: Error, plan: RunPlan): string {
  const code = errnoCode(err);
  if (code === 'ENOENT') {
    return plan.command.includes('/') ? 'ENOENT: no such file' : 'ENOENT: command not found on PATH';
  }
  if (code === 'EACCES') return 'EACCES: permission denied (is the file executable?)';
  return code === null ? err.message : `${code}: ${err.message}`;
}

function watchExit(child: ChildProcess, stdioGraceMs: number): Promise<ExitInfo> {
  return new Promise((resolve) => {
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let grace: NodeJS.Timeout | undefined;
    // A failed spawn emits 'close' with code -2 and no 'exit'; that case is reported by
    // spawnedOrFailed, and this listener keeps the 'error' from crashing the process later.
    child.on('error', () => {});
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      grace = setTimeout(() => resolve({ ...(exit ?? { code, signal }), stdioOpen: true }), stdioGraceMs);
      grace.unref();
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(grace);
      resolve({ ...(exit ?? { code, signal }), stdioOpen: false });
    });
  });
}
