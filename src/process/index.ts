// Public entry of the process runner: spawn, stop, logs, probes, ports, ensure.
export type { RunPlan } from './types.ts';
