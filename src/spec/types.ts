// The normalized service spec: what validation returns after applying defaults. The input
// format (older specs' shapes accepted too) is looser: durations as "5s" or milliseconds,
// dependencies as plain ids or { id, condition }, health as one readiness probe. See
// docs/spec.md.
import type { ServiceLimits } from './limits-schema.ts';
import type { WatchSpec } from './watch-schema.ts';
import type { DepSpec } from './dep-schema.ts';
import type { CaddySpec } from './caddy-schema.ts';

/** When a dependency counts as satisfied for its dependents. */
export type DependencyCondition = 'started' | 'ready' | 'completed';
/** Whether a service restarts after its process exits. */
export type RestartPolicy = 'never' | 'on-failure' | 'always';
/** `fixed` ports are checked and reclaimed; `random` ports are allocated at each start. */
export type PortStrategy = 'fixed' | 'random';

/** One named port of a service. `port` is 0 when it is allocated at start. */
export interface PortSpec {
  name: string;
  port: number;
  protocol: 'tcp' | 'udp' | 'http';
}

/** A readiness or liveness probe. Strings may hold placeholders such as {ports.primary}. */
export interface ProbeSpec {
  type: 'http' | 'tcp' | 'exec' | 'log';
  /** http: full URL; tcp: "host:port". */
  endpoint?: string;
  /** exec: argv run without a shell. */
  command?: string[];
  expectedStatus: number[];
  /** log: regular expression a line must match (checked at load time). */
  pattern?: string;
  /** log: which output is watched. */
  stream?: 'stdout' | 'stderr' | 'both';
  intervalMs: number;
  /** Per attempt; for a log probe, the deadline for the matching line from start. */
  timeoutMs: number;
  initialDelayMs: number;
  failureThreshold: number;
}

/** An action run before every start. Paths may hold placeholders; targets stay in the project or data dir. */
export type EnsureAction =
  | { type: 'mkdir'; path: string }
  | { type: 'template'; template: string; target: string };

/** Restart tuning: exponential backoff with jitter, reset after a stable run. */
export interface RestartTuning {
  /** The first restart of a failure streak happens at once; the backoff starts with the second. */
  immediateFirst: boolean;
  initialMs: number;
  multiplier: number;
  maxMs: number;
  /** Fraction 0..1 of the delay that is randomized. */
  jitter: number;
  /** After staying up this long, the attempt counter resets. */
  resetAfterMs: number;
  /** null: unlimited. */
  maxRestarts: number | null;
}

/** A dependency edge. */
export interface Dependency {
  id: string;
  condition: DependencyCondition;
}

/** Where a service's instances may run (docs/cluster.md). */
export type Placement = 'any' | { node?: string; nodes?: string[]; tags?: string[]; strategy: 'spread' | 'pack' };

/** When a scheduled oneshot runs (docs/spec.md, *Scheduled jobs*); exactly one of cron and everyMs. */
export interface ScheduleSpec {
  cron?: string;
  /** IANA time zone of the cron expression; absent: the node's local time. */
  timezone?: string;
  everyMs?: number;
  /** A run due while the previous one still runs: skipped, queued (at most one) or allowed up to maxConcurrent. */
  overlap: 'skip' | 'queue' | 'allow';
  maxConcurrent: number;
  runAtStart: boolean;
}

/** A validated, defaulted service spec. */
export interface ServiceSpec {
  id: string;
  displayName: string;
  description: string;
  icon?: string;
  required: boolean;
  kind: 'daemon' | 'oneshot';
  dep?: DepSpec;
  process: {
    command: string;
    args: string[];
    env: Record<string, string>;
    workingDir?: string;
    shell: boolean;
    restartPolicy: RestartPolicy;
    ensure: EnsureAction[];
    stopSignal: string;
    stopTimeoutMs: number;
  };
  /** Env files relative to the project directory, in precedence order (later wins); absent: none. */
  envFile?: string[];
  restart: RestartTuning;
  /** Instances of the service (1 = one, named <id>@1). */
  replicas: number;
  /** Where its instances run; absent: on the node that registered it. */
  placement?: Placement;
  portStrategy: PortStrategy;
  ports: { primary?: PortSpec; additional: PortSpec[] };
  logging: {
    /** Log provider name, kept from older specs; informational. */
    provider?: string;
    stdout?: string;
    stderr?: string;
    /** Rotate a log file when it reaches this size. */
    maxBytes: number;
    /** Rotated files kept per stream. */
    keep: number;
    /** Shortest time between two log metadata events of one stream. */
    metadataIntervalMs: number;
    format?: 'text' | 'json';
    /** Retention as written ("7d"). */
    retention?: string;
    /** Rotated log files last written longer ago than this are removed. */
    retentionMs?: number;
  };
  /** Readiness probe (written `health` in a spec). */
  health?: ProbeSpec;
  liveness?: ProbeSpec;
  /** Resource limits; absent: none. */
  limits?: ServiceLimits;
  /** HTTP exposure through the node's Caddy (normalized `caddy` block). */
  caddy?: CaddySpec;
  dependencies: Dependency[];
  profiles: string[];
  /** A oneshot that runs on a schedule rather than once. */
  schedule?: ScheduleSpec;
  /** Restart on file changes (development); absent: no watching. */
  watch?: WatchSpec;
}

/** A validated project file. */
export interface Project {
  name?: string;
  version?: string | number;
  /** Opaque configuration block, validated by the config module. */
  config?: Record<string, unknown>;
  services: Record<string, ServiceSpec>;
}
