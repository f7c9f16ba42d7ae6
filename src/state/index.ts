// Public entry of the state module (pure): reducers, snapshots, log replay and view-model selectors.
export { LIFECYCLE_STATES } from './types.ts';
export type { LifecycleState, ProbeStatus, ServiceState, NodeState, State, Snapshot } from './types.ts';
export { emptyState, reduce, reduceAll, seqOf } from './reduce.ts';
export { getService, getNode } from './lookup.ts';
export { reduceService } from './service-machine.ts';
export type { LifecycleEvent } from './service-machine.ts';
export { restingState } from './service-transitions.ts';
export { takeSnapshot, restoreSnapshot, replayFrom } from './snapshot.ts';
export { SnapshotError } from './errors.ts';
export { parseEventLog, replayLog } from './replay.ts';
export type { LogSkipReason, SkippedLine, ParsedLog, ReplayStep, ReplayOptions, ReplayResult } from './replay.ts';
export {
  selectServiceRows,
  selectCounts,
  selectService,
  selectStatusJson,
  sortedServices,
  isSettled,
  toneOf,
  formatDuration,
} from './selectors.ts';
export type { Tone, ServiceRow, ServiceDetail, ServiceCounts, StatusEntry, StatusJson } from './selectors.ts';
export {
  selectHeader,
  selectHealth,
  selectFeedRow,
  selectFeed,
  selectGraph,
  summarizeEvent,
  appendRecent,
  recentFor,
  detailFields,
  availableActions,
  SERVICE_ACTIONS,
  NAVIGATION_KEYS,
} from './views.ts';
export type { HeaderView, HealthView, ServiceAction, DetailField, FeedRow, GraphLayout, GraphNodeView, GraphEdgeView } from './views.ts';
