// Public entry of the cluster's pure core: placement, scheduling, lease judgement and fencing arithmetic.
export { instanceName, movable, placeInstances } from './placement.ts';
export type { InstanceToPlace, Placement, PlacementDecision, PlacementNode } from './placement.ts';
export { coordinator, keyOf, schedule } from './schedule.ts';
export type { Claim, Member, MemberState, PlacedService, ScheduleAction, ScheduleInput } from './schedule.ts';
export {
  DEFAULT_LEASE_TIMINGS,
  SUSPECT_AFTER_MISSED,
  estimateServerNow,
  fenceDeadline,
  isNodeKey,
  judgeLease,
  judgeLeases,
  leaseStateOf,
  leaseTimingsProblem,
  mustFence,
  observeServerTime,
  recordLease,
} from './lease.ts';
export type { LeaseState, LeaseStatus, LeaseTimings, LeaseVerdict, SeenLease, ServerClock } from './lease.ts';
