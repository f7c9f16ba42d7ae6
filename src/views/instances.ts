// Services with several instances: the instance records (keyed `web`, `web@2`, ...) grouped by
// the service they belong to, and the one state a service's row shows for all of them. Every
// reader (status, list, the API, the TUI, the dashboard) groups through here, so a service
// reads the same everywhere.
import { instanceName, parseInstance } from '../events/index.ts';
import { getService } from '../state/index.ts';
import type { LifecycleState, ServiceState, State } from '../state/index.ts';

/** One service with its instance records in instance order (instance 1 first when it exists). */
export interface InstanceGroup {
  service: string;
  instances: ServiceState[];
}

/** One instance as a service's row lists it. */
export interface InstanceEntry {
  /** Always `<service>@<n>`, instance 1 included. */
  id: string;
  node: string;
  state: LifecycleState;
  pid: number | null;
  ports: Record<string, number>;
  restarts: number;
}

// From the state that most needs a person's attention to the one that needs none: a service's
// row shows the first of these that any of its instances is in, so it reads `ready` only when
// every instance is ready, and one failed instance makes the whole row `failed`.
const SUMMARY_ORDER: readonly LifecycleState[] = [
  'failed',
  'lost',
  'backoff',
  'stopping',
  'starting',
  'pending',
  'running',
  'stopped',
  'disabled',
  'completed',
  'ready',
];

/** The state a service's row shows for its instances: the first in SUMMARY_ORDER that any is in. */
export function summaryState(states: readonly LifecycleState[]): LifecycleState {
  for (const s of SUMMARY_ORDER) if (states.includes(s)) return s;
  return states[0] ?? 'pending';
}

/** The instance records of every service, grouped by service, services in id order. */
export function groupInstances(state: State): InstanceGroup[] {
  const groups = new Map<string, ServiceState[]>();
  for (const s of Object.values(state.services)) {
    const list = groups.get(s.service);
    if (list === undefined) groups.set(s.service, [s]);
    else list.push(s);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([service, instances]) => ({ service, instances: instances.sort((a, b) => a.instance - b.instance) }));
}

/** The group of one service, or null when no instance of it is registered. */
export function groupOf(state: State, service: string): InstanceGroup | null {
  // One pass without grouping and sorting every service: the dashboard asks this per event.
  const instances: ServiceState[] = [];
  for (const id in state.services) {
    const s = state.services[id] as ServiceState;
    if (s.service === service) instances.push(s);
  }
  return instances.length === 0 ? null : { service, instances: instances.sort((a, b) => a.instance - b.instance) };
}

/** An instance as a row lists it. */
export function instanceEntry(s: ServiceState): InstanceEntry {
  return { id: instanceName(s.service, s.instance), node: s.node, state: s.state, pid: s.pid, ports: s.ports, restarts: s.restarts };
}

/** What a name a person typed means: one instance (`web@2`), every instance of a service (`web`), or nothing. */
export type InstanceTarget =
  | { kind: 'service'; service: string; keys: string[] }
  | { kind: 'instance'; service: string; key: string }
  | { kind: 'unknown-service'; known: string[] }
  | { kind: 'unknown-instance'; service: string; known: string[] };

/** Resolves a service id or an instance name against the state (`web@1` is the record `web`). */
export function resolveTarget(state: State, text: string): InstanceTarget {
  const parsed = parseInstance(text);
  const group = parsed === null ? null : groupOf(state, parsed.service);
  if (parsed === null || group === null) return { kind: 'unknown-service', known: groupInstances(state).map((g) => g.service) };
  const names = group.instances.map((s) => instanceName(s.service, s.instance));
  if (!text.includes('@')) return { kind: 'service', service: group.service, keys: group.instances.map((s) => s.id) };
  const record = group.instances.find((s) => s.instance === parsed.instance);
  if (record === undefined || getService(state, record.id) === undefined) return { kind: 'unknown-instance', service: group.service, known: names };
  return { kind: 'instance', service: group.service, key: record.id };
}
