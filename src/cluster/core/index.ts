// Public entry of the cluster's pure core.
export { instanceName, movable, placeInstances } from './placement.ts';
export type { InstanceToPlace, Placement, PlacementDecision, PlacementNode } from './placement.ts';
export { coordinator, keyOf, schedule } from './schedule.ts';
export type { Claim, Member, MemberState, PlacedService, ScheduleAction, ScheduleInput } from './schedule.ts';
