// Public entry of the state module (pure): reducers, snapshots, log replay and lookups. What the
// UIs show of the state is derived in src/views.
export { LIFECYCLE_STATES, REDUCER_VERSION } from './types.ts';
export type { LifecycleState, ProbeStatus, ServiceState, NodeState, State, Snapshot, CaddyState, CaddyRoute } from './types.ts';
export { emptyState, reduce, reduceAll, seqOf } from './reduce.ts';
export { getService, getNode, sortedServices } from './lookup.ts';
export { emptyRunTable, runById, runList, runTableOf } from './runs.ts';
export type { RunTable } from './runs.ts';
export { isSettled, blockedBy, conditionMet } from './settled.ts';
export type { Blocked } from './settled.ts';
export { reduceService } from './service-machine.ts';
export type { LifecycleEvent } from './service-machine.ts';
export { restingState } from './service-transitions.ts';
export { takeSnapshot, restoreSnapshot, replayFrom } from './snapshot.ts';
export { SnapshotError } from './errors.ts';
export { parseEventLog, replayLog } from './replay.ts';
export type { LogSkipReason, SkippedLine, ParsedLog, ReplayStep, ReplayOptions, ReplayResult } from './replay.ts';
