// Public entry of the cluster module (a shell): node membership by leases in the bus's lease
// bucket, judged by the pure core in ./core.
export { Membership } from './membership.ts';
export type { MembershipHooks, MembershipOptions, MemberView } from './membership.ts';
export { NodeIdInUseError, readNodeLease } from './lease-value.ts';
export type { NodeLease } from './lease-value.ts';
export { DEFAULT_LEASE_TIMINGS } from './core/index.ts';
export type { LeaseTimings } from './core/index.ts';
export { Scheduler } from './scheduler.ts';
export type { SchedulerOptions } from './scheduler.ts';
export { claimKey } from './references.ts';
