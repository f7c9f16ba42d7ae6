// Public entry of the state module (pure): reducers, snapshots and view-model selectors.
export { LIFECYCLE_STATES } from './types.ts';
export type { LifecycleState, ProbeStatus, ServiceState, NodeState, State, Snapshot } from './types.ts';
