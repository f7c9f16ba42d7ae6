// Inspecting and stopping a process that is not our child (a nats-server left behind by a
// crashed earlier run). There is no exit event for a non-child, so waiting for its exit polls
// with a deadline.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

// Without /proc (not Linux) liveness falls back to signal 0, which cannot tell zombies apart.
const HAS_PROC = existsSync('/proc/self/stat');

/** True while `pid` is a live process; a zombie (exited, not yet reaped) counts as gone. */
export async function isProcessAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the command name, which is in parentheses and may hold spaces.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return HAS_PROC ? false : signalZero(pid);
    }
    return signalZero(pid);
  }
}

/** The argv of a live process from /proc, or null when it cannot be read. */
export async function processArgv(pid: number): Promise<string[] | null> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    const argv = raw.split('\0').filter((a) => a !== '');
    return argv.length === 0 ? null : argv;
  } catch {
    return null;
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL and wait again; true when the process is gone. */
export async function terminatePid(pid: number, graceMs: number): Promise<boolean> {
  if (!send(pid, 'SIGTERM')) return true;
  if (await waitGone(pid, graceMs)) return true;
  if (!send(pid, 'SIGKILL')) return true;
  return waitGone(pid, 2_000);
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    if (!(await isProcessAlive(pid))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
}

function send(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
