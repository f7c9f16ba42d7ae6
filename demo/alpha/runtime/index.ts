// The shared runtime of the demo services: context, test behaviours, the run loop.
export { runDemo } from './run.ts';
export type { DemoDefinition, DemoHandler } from './run.ts';
export { pendingGates, uptimeSeconds } from './context.ts';
export type { DemoContext, RequestStats } from './context.ts';
