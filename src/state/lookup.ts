// Safe lookups in the id-keyed records of the state, and the questions every reader asks of it
// (id order). Ids such as "constructor" or "toString" are valid service and node ids,
// and a plain `record[id]` would return Object.prototype's.
import type { NodeState, ServiceState, State } from './types.ts';

/** `record[key]` when the record itself has the key, never an inherited property. */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The service with this id, if registered. */
export function getService(state: State, id: string): ServiceState | undefined {
  return own(state.services, id);
}

/** The node with this id, if it ever published. */
export function getNode(state: State, id: string): NodeState | undefined {
  return own(state.nodes, id);
}

/** Services in id order. */
export function sortedServices(state: State): ServiceState[] {
  return Object.values(state.services).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
