// Dependency gating and stop ordering: which pending services may start now, and which running
// services may be stopped now that their dependents are down.
import { conditionMet } from '../../state/index.ts';
import type { LifecycleState } from '../../state/index.ts';
import type { ControllerState, Supervised } from './model.ts';

const ALIVE: ReadonlySet<LifecycleState> = new Set(['starting', 'running', 'ready', 'stopping']);

/** True while the service has (or is about to have) a process. */
export function isAlive(svc: Supervised): boolean {
  return ALIVE.has(svc.phase);
}

/** Where gating looks: this controller's instances and what other nodes' instances are doing. */
export interface GatingView {
  all(): Supervised[];
  /** The local instances of one service. */
  instancesOf(service: string): Supervised[];
  peers: ControllerState['peers'];
}

/**
 * Ids of the dependencies of `svc` that have not reached their condition. A dependency on a
 * service holds once any one of its instances meets the condition, on this node or another.
 */
export function unmetDependencies(svc: Supervised, view: GatingView): string[] {
  if (svc.ignoreDependencies) return [];
  return svc.spec.dependencies
    .filter((d) => {
      const local = view.instancesOf(d.id).some((other) => conditionMet(other.phase, d.condition));
      return !local && !(own(view.peers, d.id) ?? []).some((phase) => conditionMet(phase, d.condition));
    })
    .map((d) => d.id);
}

/**
 * Names of the services some live local service depends on: those must keep running for now.
 * One pass for a whole shutdown step, instead of a scan of every service per service.
 */
export function servicesWithLiveDependents(all: Supervised[]): Set<string> {
  const needed = new Set<string>();
  for (const other of all) {
    if (!isAlive(other)) continue;
    for (const d of other.spec.dependencies) needed.add(d.id);
  }
  return needed;
}

function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
