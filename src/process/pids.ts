// A single process that is not our child (a nats-server left behind by a crashed earlier run, or
// the pid of a running `nestor up`). No exit event arrives for a non-child, so waiting for its
// exit polls with a deadline.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { errnoCode } from './errors.ts';
import { readProcStat } from './proc-table.ts';

// Without /proc (not Linux) liveness falls back to signal 0, which cannot tell zombies apart.
const HAS_PROC = existsSync('/proc/self/stat');

/** True while `pid` is a live process; a zombie (exited, not yet reaped) counts as gone. */
export function isProcessAlive(pid: number): Promise<boolean> {
  if (!HAS_PROC) return Promise.resolve(signalZero(pid));
  const st = readProcStat(pid);
  // An unreadable entry is either a gone process (signal 0 says ESRCH) or one /proc hides from us.
  if (st === null) return Promise.resolve(signalZero(pid));
  return Promise.resolve(st.state !== 'Z' && st.state !== 'X');
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
    if (errnoCode(err) === 'ESRCH') return false;
    throw err;
  }
}

function signalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}
