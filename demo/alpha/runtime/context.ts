// What a demo's request handlers know about the running service.
import { existsSync } from 'node:fs';
import type { ServiceEnv } from '../../../src/sdk/index.ts';
import type { DemoOptions } from '../cli/index.ts';

/** Requests served, in total and per path. */
export interface RequestStats {
  total: number;
  byPath: Map<string, number>;
}

/** The running service, as its handlers see it. */
export interface DemoContext {
  name: string;
  version: string;
  pid: number;
  startedAtMs: number;
  host: string;
  /** The port actually bound (known once listening). */
  port: number;
  env: ServiceEnv;
  options: DemoOptions;
  stats: RequestStats;
  /** Pid of the grandchild sleeper started by --ignore-sigterm. */
  sleeperPid?: number;
}

/** Seconds since the service started. */
export function uptimeSeconds(ctx: DemoContext): number {
  return (Date.now() - ctx.startedAtMs) / 1000;
}

/** Why the service is not ready yet (the --slow-ready and --ready-file gates); empty when ready. */
export function pendingGates(ctx: DemoContext): string[] {
  const waiting: string[] = [];
  const { slowReadyMs, readyFile } = ctx.options;
  if (slowReadyMs !== undefined && Date.now() - ctx.startedAtMs < slowReadyMs) waiting.push(`slow-ready ${slowReadyMs}ms`);
  if (readyFile !== undefined && !existsSync(readyFile)) waiting.push(`ready-file ${readyFile}`);
  return waiting;
}
