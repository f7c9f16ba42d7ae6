// Dependency gating and stop ordering: which pending services may start now, and which running
// services may be stopped now that their dependents are down.
import { conditionMet } from '../../state/index.ts';
import type { LifecycleState } from '../../state/index.ts';
import type { Supervised } from './model.ts';

const ALIVE: ReadonlySet<LifecycleState> = new Set(['starting', 'running', 'ready', 'stopping']);

/** True while the service has (or is about to have) a process. */
export function isAlive(svc: Supervised): boolean {
  return ALIVE.has(svc.phase);
}

/** Ids of the dependencies of `svc` that have not reached their condition. */
export function unmetDependencies(svc: Supervised, byId: (id: string) => Supervised | undefined): string[] {
  if (svc.ignoreDependencies) return [];
  return svc.spec.dependencies.filter((d) => !conditionMet(byId(d.id)?.phase, d.condition)).map((d) => d.id);
}

/** True when no service that depends on `id` still has a process. */
export function dependentsDown(id: string, all: Supervised[]): boolean {
  return all.every((other) => !isAlive(other) || !other.spec.dependencies.some((d) => d.id === id));
}
