// Public entry of the cluster's pure core.
export { instanceName, movable, placeInstances } from './placement.ts';
export type { InstanceToPlace, Placement, PlacementDecision, PlacementNode } from './placement.ts';
