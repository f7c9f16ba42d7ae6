// Health from heartbeat age: a run that reported within two of its declared intervals is
// healthy, then late, stale and lost (HEALTH_THRESHOLDS). The clock starts again at every
// heartbeat and every state change (a resumed run is not late for the time it was paused);
// a paused or finished run keeps the health it has.
import { FINISHED_RUN_STATES, HEALTH_THRESHOLDS, RUN_HEALTH } from './types.ts';
import type { Run, RunHealth } from './types.ts';

/** How bad a health level is: healthy 0 … lost 3. */
export function healthRank(h: RunHealth): number {
  return RUN_HEALTH.indexOf(h);
}

/** The time health is measured from: the last heartbeat, state change or the creation, whichever is latest. */
export function healthClockOf(run: Run): number {
  let ref = Date.parse(run.createdAt);
  if (run.lastHeartbeatAt !== null) ref = Math.max(ref, Date.parse(run.lastHeartbeatAt));
  for (let i = run.transitions.length - 1; i >= 0; i--) {
    const t = run.transitions[i];
    if (t?.kind !== 'state') continue;
    ref = Math.max(ref, Date.parse(t.at));
    break;
  }
  return ref;
}

/** Intervals missed at `now` (whole and fractional). */
export function missedIntervals(run: Run, now: Date): number {
  return Math.max(0, now.getTime() - healthClockOf(run)) / run.heartbeatIntervalMs;
}

/** The health `run` has at `now`, from its heartbeat age against its interval. */
export function healthAt(run: Run, now: Date): RunHealth {
  if (run.state === 'paused' || FINISHED_RUN_STATES.includes(run.state)) return run.health;
  const missed = missedIntervals(run, now);
  if (missed >= HEALTH_THRESHOLDS.lost) return 'lost';
  if (missed >= HEALTH_THRESHOLDS.stale) return 'stale';
  if (missed >= HEALTH_THRESHOLDS.late) return 'late';
  return 'healthy';
}
