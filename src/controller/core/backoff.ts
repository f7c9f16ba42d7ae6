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
 * Delay before restart number `attempt` (1-based): initial * multiplier^(attempt-1), capped at
 * max, then spread by ±jitter/2 of itself so a crash-looping stack does not restart in lockstep.
 */
export function nextDelay(attempt: number, tuning: RestartTuning, jitter: number): number {
  const base = Math.min(tuning.maxMs, tuning.initialMs * tuning.multiplier ** Math.max(0, attempt - 1));
  const spread = base * tuning.jitter * (jitter - 0.5);
  return Math.max(0, Math.round(base + spread));
}

/** True when another restart is allowed after `attempt` restarts already made. */
export function restartsLeft(attempt: number, tuning: RestartTuning): boolean {
  return tuning.maxRestarts === null || attempt < tuning.maxRestarts;
}
