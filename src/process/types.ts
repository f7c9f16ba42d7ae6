// What the runner needs to start one service: a spec with every placeholder already expanded
// and every port already known. The controller builds it; the runner never reads raw specs.
import type { EnsureAction, ProbeSpec } from '../spec/index.ts';

/** A fully resolved start request for one service. */
export interface RunPlan {
  service: string;
  command: string;
  args: string[];
  /** Complete environment of the child (inherited + spec + NESTOR_* variables). */
  env: Record<string, string>;
  cwd: string;
  shell: boolean;
  ensure: EnsureAction[];
  /** Directories that ensure targets and log files must stay inside. */
  allowedRoots: string[];
  ports: Record<string, number>;
  readiness?: ProbeSpec;
  liveness?: ProbeSpec;
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
  logs: { dir: string; maxBytes: number; keep: number; metadataIntervalMs: number; retentionMs?: number };
}
