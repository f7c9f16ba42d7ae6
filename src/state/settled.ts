// Settled: no further transition will happen without a user's action. One rule for every reader
// (`up --detach`, the foreground summary, the UIs' header counts), derived from the state alone:
//   ready, completed, disabled          settled
//   stopped, failed                     settled, unless the event that led there announced a restart
//   pending                             settled when it is blocked: a dependency it waits for has
//                                       settled without meeting its condition (failed, stopped,
//                                       disabled, a daemon awaited to complete, or itself blocked)
//   starting, running, stopping, backoff  not settled: a transition is on its way
import type { Dependency } from '../spec/index.ts';
import { getService } from './lookup.ts';
import type { LifecycleState, ServiceState, State } from './types.ts';

/** True when a service in `state` meets the dependency `condition` (the controller starts dependents by the same rule). */
export function conditionMet(state: LifecycleState | undefined, condition: Dependency['condition'] | string): boolean {
  switch (condition) {
    case 'started':
      return state === 'running' || state === 'ready' || state === 'completed';
    case 'completed':
      return state === 'completed';
    default:
      return state === 'ready' || state === 'completed';
  }
}

/** Why a pending service can no longer start without a user's action, or null. */
export interface Blocked {
  /** The dependency that settled without meeting its condition. */
  dependency: string;
  /** Its lifecycle state (or `blocked` when it is itself blocked). */
  state: LifecycleState | 'blocked';
  /** "blocked: alpha failed" */
  reason: string;
}

/** The dependency that blocks a pending service, or null when it is not blocked. */
export function blockedBy(state: State, service: ServiceState): Blocked | null {
  return blockedWith(state, service, new Set());
}

/** True once a service needs a user's action for anything more to happen. */
export function isSettled(state: State, service: ServiceState): boolean {
  return settledWith(state, service, new Set());
}

function settledWith(state: State, s: ServiceState, seen: Set<string>): boolean {
  switch (s.state) {
    case 'ready':
    case 'completed':
    case 'disabled':
    case 'lost': // its node is down: nothing changes until that node returns
      return true;
    case 'stopped':
    case 'failed':
      return !s.restartPending;
    case 'pending':
      return blockedWith(state, s, seen) !== null;
    case 'starting':
    case 'running':
    case 'stopping':
    case 'backoff':
      return false;
  }
}

// `seen` guards against a dependency cycle in a history written by hand (specs refuse cycles).
function blockedWith(state: State, s: ServiceState, seen: Set<string>): Blocked | null {
  if (s.state !== 'pending' || seen.has(s.id)) return null;
  seen.add(s.id);
  for (const id of s.waitingFor) {
    const dep = getService(state, id);
    if (dep === undefined) continue;
    const condition = s.dependencies.find((d) => d.id === id)?.condition ?? 'ready';
    if (conditionMet(dep.state, condition) || !settledWith(state, dep, seen)) continue;
    const depState = dep.state === 'pending' ? 'blocked' : dep.state;
    const what = depState === 'ready' ? `is ready but never completes (a daemon)` : depState;
    return { dependency: id, state: depState, reason: `blocked: ${id} ${what}` };
  }
  return null;
}
