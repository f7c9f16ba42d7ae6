// Restart policy and backoff as pure functions of their arguments, so tests pin every delay: no
// clock, no randomness read here; `jitter` is a number in [0, 1) supplied by the caller.
import type { RestartPolicy, RestartTuning } from '../../spec/index.ts';

/** How a process ended, as far as the restart decision cares. */
export interface ExitFacts {
  code: number | null;
  signal: string | null;
}

/** True when the policy asks for a restart after this exit. */
export function shouldRestart(policy: RestartPolicy, exit: ExitFacts): boolean {
  switch (policy) {
    case 'never':
      return false;
    case 'always':
      return true;
    case 'on-failure':
      return exit.code !== 0 || exit.signal !== null;
  }
}

/**
 * Delay before restart number `attempt` (1-based) of a failure streak. With immediateFirst the
 * first restart after a stable run is at once (a one-off crash costs no wait) and only the
 * quick failures after it back off: restart n ≥ 2 waits initial * multiplier^(n-2). Without it,
 * restart n waits initial * multiplier^(n-1). Capped at max, then spread by ±jitter/2 of itself
 * so a crash-looping stack does not restart in lockstep.
 */
export function nextDelay(attempt: number, tuning: RestartTuning, jitter: number): number {
  if (tuning.immediateFirst && attempt <= 1) return 0;
  const step = Math.max(0, attempt - (tuning.immediateFirst ? 2 : 1));
  const base = Math.min(tuning.maxMs, tuning.initialMs * tuning.multiplier ** step);
  const spread = base * tuning.jitter * (jitter - 0.5);
  return Math.max(0, Math.round(base + spread));
}

/** True when another restart is allowed after `attempt` restarts already made. */
export function restartsLeft(attempt: number, tuning: RestartTuning): boolean {
  return tuning.maxRestarts === null || attempt < tuning.maxRestarts;
}
