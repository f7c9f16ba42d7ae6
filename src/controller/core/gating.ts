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
  peers: ControllerState['peers'];
}

/**
 * Ids of the dependencies of `svc` that have not reached their condition. A dependency on a
 * service holds once any one of its instances meets the condition, on this node or another.
 */
export function unmetDependencies(svc: Supervised, view: GatingView): string[] {
  if (svc.ignoreDependencies) return [];
  const all = view.all();
  return svc.spec.dependencies
    .filter((d) => {
      const local = all.some((other) => other.service === d.id && conditionMet(other.phase, d.condition));
      return !local && !(own(view.peers, d.id) ?? []).some((phase) => conditionMet(phase, d.condition));
    })
    .map((d) => d.id);
}

/** True when no service that depends on `service` still has a process here. */
export function dependentsDown(service: string, all: Supervised[]): boolean {
  return all.every((other) => !isAlive(other) || !other.spec.dependencies.some((d) => d.id === service));
}

function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
