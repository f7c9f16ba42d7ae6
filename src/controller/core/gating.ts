// Dependency gating and stop ordering: which pending services may start now, and which running
// services may be stopped now that their dependents are down.
import type { Dependency } from '../../spec/index.ts';
import type { LifecycleState } from '../../state/index.ts';
import type { Supervised } from './model.ts';

const ALIVE: ReadonlySet<LifecycleState> = new Set(['starting', 'running', 'ready', 'stopping']);

/** True while the service has (or is about to have) a process. */
export function isAlive(svc: Supervised): boolean {
  return ALIVE.has(svc.phase);
}

/** True when `dep` has reached the condition its dependent asks for. */
export function conditionMet(dep: Supervised | undefined, condition: Dependency['condition']): boolean {
  if (dep === undefined) return false;
  switch (condition) {
    case 'started':
      return dep.phase === 'running' || dep.phase === 'ready' || dep.phase === 'completed';
    case 'ready':
      return dep.phase === 'ready' || dep.phase === 'completed';
    case 'completed':
      return dep.phase === 'completed';
  }
}

/** Ids of the dependencies of `svc` that have not reached their condition. */
export function unmetDependencies(svc: Supervised, byId: (id: string) => Supervised | undefined): string[] {
  if (svc.ignoreDependencies) return [];
  return svc.spec.dependencies.filter((d) => !conditionMet(byId(d.id), d.condition)).map((d) => d.id);
}

/** True when no service that depends on `id` still has a process. */
export function dependentsDown(id: string, all: Supervised[]): boolean {
  return all.every((other) => !isAlive(other) || !other.spec.dependencies.some((d) => d.id === id));
}
