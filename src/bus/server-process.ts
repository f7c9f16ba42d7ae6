// The nats-server child process: spawned detached, its stderr tail kept for error messages,
// stopped with SIGTERM, a bounded wait, then SIGKILL.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** How the server process ended. */
export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A spawned server process. */
export interface ServerProcess {
  /** Undefined when the spawn itself failed. */
  readonly pid: number | undefined;
  /** Settles once the process has exited and its stderr is fully read. */
  readonly exited: Promise<ServerExit>;
  hasExited(): boolean;
  /** The last ~64 KiB written to stderr. */
  stderr(): string;
  /** SIGTERM, up to the grace period, then SIGKILL; idempotent. */
  stop(): Promise<void>;
}

const STDERR_LIMIT = 64 * 1024;

// The child runs detached (its own process group) so a Ctrl-C in the terminal reaches only
// Nestor, which then stops services and the broker in order. If this process exits without
// stopping it (an uncaught error), the exit hook still sends SIGTERM; after a SIGKILL of this
// process the next launch reclaims it (stale.ts).
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  running.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of running) c.kill('SIGTERM');
  });
}

/** Spawns `binary -c configFile`. */
export function spawnServer(binary: string, configFile: string, graceMs: number): ServerProcess {
  const child = spawn(binary, ['-c', configFile], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exited = false;
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_LIMIT);
  });
  const exit = new Promise<ServerExit>((resolve) => {
    // 'close' rather than 'exit': it comes after the last stderr chunk, which holds the reason.
    child.once('close', (code, signal) => resolve({ code, signal }));
    // A failed spawn emits 'error' and never 'close'.
    child.once('error', (err) => {
      stderr += `\n${err.message}`;
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  }).finally(() => {
    exited = true;
    running.delete(child);
  });
  track(child);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const grace = new AbortController();
      const timedOut = await Promise.race([exit.then(() => false), sleep(graceMs, true, { signal: grace.signal }).catch(() => false)]);
      grace.abort();
      if (timedOut) {
        child.kill('SIGKILL');
        await exit;
      }
    })());

  return { pid: child.pid, exited: exit, hasExited: () => exited, stderr: () => stderr, stop };
}
