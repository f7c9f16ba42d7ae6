// Public entry of the run registry (a shell): the registry over the run bucket, and the one
// request handler the bus and the HTTP API share. The rules are in ./core (pure).
export { RunRegistry, startRunRegistry } from './registry.ts';
export { generateRunId } from './ids.ts';
export type { RunRecords, RunRegistryOptions } from './registry.ts';
export { handleRunRequest } from './requests.ts';
export * from './core/index.ts';
export { startRunEffects } from './effects.ts';
export type { RunEffects, RunEffectsOptions, RunEffectsRegistry, BoundRun, BoundRuns } from './effects.ts';
