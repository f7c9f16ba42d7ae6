// Process-group primitives. Every service runs as the leader of its own group, so one signal to
// -pgid reaches the service and everything it forked (unless a descendant left with setsid).
import { setTimeout as sleep } from 'node:timers/promises';
import { errnoCode } from './errors.ts';
import { listGroupPids, liveGroupsSince, ownProcessGroup } from './proc-table.ts';

const POLL_MS = 20;

/** Read once: Node has no call that moves this process to another group, and stops of hundreds of services read /proc/self/stat once per signal. */
let ownGroup: number | undefined;

function assertTargetable(pgid: number): void {
  // -1 and 0 would signal every process we may signal or our own group: never what is meant.
  if (!Number.isInteger(pgid) || pgid <= 1) throw new RangeError(`refusing to signal process group ${pgid}`);
  if (pgid === (ownGroup ??= ownProcessGroup())) throw new RangeError(`refusing to signal our own process group ${pgid}`);
}

/** Sends a signal to a whole process group; false when the group no longer exists. */
export function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  assertTargetable(pgid);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ESRCH') return false;
    throw err;
  }
}

/**
 * Whether any live process of the group remains. kill(-pgid, 0) succeeds for zombies too, and an
 * init that never reaps orphans (some container inits) would keep them forever, so a positive
 * answer is confirmed against /proc, ignoring zombies.
 */
export function isGroupAlive(pgid: number): boolean {
  if (!killGroup(pgid, 0)) return false;
  return listGroupPids(pgid).length > 0;
}

/** Resolves true once no live process of the group remains, or false after timeoutMs. */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const since = performance.now();
  const deadline = since + timeoutMs;
  // Polling is the only option: Linux offers no notification for a group emptying out. A scan
  // taken after the wait began is as good as our own: once a group has no live member, nothing
  // can join it again.
  for (;;) {
    if (!killGroup(pgid, 0) || !liveGroupsSince(since, POLL_MS).has(pgid)) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await sleep(Math.min(POLL_MS, left));
  }
}

/** Outcome of stopping a group. */
export interface StopResult {
  /** True when the group outlived timeoutMs and had to be SIGKILLed. */
  killed: boolean;
}

/** True when `promise` settles within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends `signal` to the group, waits up to timeoutMs, then SIGKILLs whatever remains and waits
 * until nothing of the group is left. Resolves only when the group is gone. With `leaderExited`
 * (the leader is our child), the wait starts on its exit event and polls /proc only if the group
 * outlives its leader: a few hundred stops at once otherwise scan /proc every poll until the
 * last is gone, which kept the event loop busy for seconds.
 */
export async function stopGroup(pgid: number, signal: NodeJS.Signals, timeoutMs: number, leaderExited?: Promise<unknown>): Promise<StopResult> {
  if (!killGroup(pgid, signal)) return { killed: false };
  const since = performance.now();
  if (leaderExited !== undefined && (await within(leaderExited, timeoutMs)) && !killGroup(pgid, 0)) return { killed: false };
  if (await waitGroupGone(pgid, timeoutMs - (performance.now() - since))) return { killed: false };
  killGroup(pgid, 'SIGKILL');
  // SIGKILL cannot be ignored; the wait only covers the kernel tearing processes down (a
  // process in uninterruptible sleep can take a while, so there is no deadline here).
  while (!(await waitGroupGone(pgid, 1000))) killGroup(pgid, 'SIGKILL');
  return { killed: true };
}
