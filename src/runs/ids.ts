// Ids the registry gives runs and commands that were sent without one: the time in base 36,
// then random hex, so sorting them sorts by creation.
import { randomBytes } from 'node:crypto';

/** A run id: `r-<time36>-<random>`, in creation order when sorted. */
export function generateRunId(now: Date): string {
  return `r-${now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** A command id: `c-<time36>-<random>`. */
export function generateCommandId(now: Date): string {
  return `c-${now.getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
}
