// Which service a UI opens its detail pane on: the one a newcomer needs to look at first, so a
// failed service is never hidden behind a healthy one that sorts before it.
import { sortedServices } from '../state/index.ts';
import type { LifecycleState, State } from '../state/index.ts';

const SETTLED_WELL = new Set<LifecycleState>(['ready', 'completed']);

/** The service to select first: the first failed, else the first enabled one not ready, else the first; null when none. */
export function initialSelection(state: State): string | null {
  const services = sortedServices(state);
  const failed = services.find((s) => s.state === 'failed');
  if (failed !== undefined) return failed.id;
  // A disabled service is not ready on purpose; it is no reason to look at it first.
  const notReady = services.find((s) => s.enabled && !SETTLED_WELL.has(s.state));
  return notReady?.id ?? services[0]?.id ?? null;
}
