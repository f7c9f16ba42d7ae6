// Public entry of the cluster's pure core: lease judgement and fencing arithmetic.
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
