// The run registry's contract: a run is a long job (a training, a batch) that reports heartbeats
// and receives control commands. The current record lives in the KV bucket `nestor-runs` (one
// read per lookup); every change is also an `orchestrator.run.*` event, which the state reducer
// folds into `state.runs` for the views. docs/runs.md explains the model; change both together.

/** Where a run is in its life. Only `queued → running ⇄ paused → succeeded | failed | terminated`. */
export const RUN_STATES = ['queued', 'running', 'paused', 'succeeded', 'failed', 'terminated'] as const;
/** One run state. */
export type RunState = (typeof RUN_STATES)[number];
/** The states a run never leaves. */
export const FINISHED_RUN_STATES: readonly RunState[] = ['succeeded', 'failed', 'terminated'];

/** How recent the run's last heartbeat is, against its declared interval (see HEALTH_THRESHOLDS). */
export const RUN_HEALTH = ['healthy', 'late', 'stale', 'lost'] as const;
/** One health level. */
export type RunHealth = (typeof RUN_HEALTH)[number];

/** Missed heartbeat intervals after which a run is late, stale, lost (lost also when its process is gone). */
export const HEALTH_THRESHOLDS = { late: 2, stale: 5, lost: 10 } as const;
/** Heartbeat interval of a run that declares none. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;

/** Control commands a run accepts. */
export const RUN_COMMAND_TYPES = ['pause', 'resume', 'terminate', 'tune'] as const;
/** One command type. */
export type RunCommandType = (typeof RUN_COMMAND_TYPES)[number];

/** The Nestor service instance whose process runs the job (absent for runs created over HTTP by outside jobs). */
export interface RunBinding {
  node: string;
  /** Instance record key (`svc` or `svc@2`). */
  instance: string;
  service: string;
  pid: number | null;
  /** pause/resume also SIGSTOP/SIGCONT the instance's process group. */
  processControl: boolean;
}

/** One control command and its delivery stamps (ISO times, each set once). */
export interface RunCommand {
  id: string;
  type: RunCommandType;
  /** `tune`: the new parameter values (at least one); others: optional extra data. */
  params: Record<string, unknown>;
  createdAt: string;
  deliveredAt: string | null;
  acknowledgedAt: string | null;
  /** Who sent it (`cli`, `api`, `dashboard`, `tui`, `sdk`...). */
  requestedBy: string;
}

/** The current record of one run, as stored in KV and returned by the API. */
export interface Run {
  id: string;
  experiment: string;
  version: string;
  params: Record<string, unknown>;
  state: RunState;
  /** Free-form status the job reports ("training", "evaluating"); '' until it says. */
  runtimeStatus: string;
  health: RunHealth;
  heartbeatIntervalMs: number;
  step: number;
  checkpointVersion: number;
  /** Metrics of the last heartbeat. */
  metrics: Record<string, number>;
  binding: RunBinding | null;
  createdAt: string;
  startedAt: string | null;
  lastHeartbeatAt: string | null;
  finishedAt: string | null;
  /** Why it failed or was terminated; null otherwise. */
  error: string | null;
  /** Every command, oldest first (acknowledged ones included: they are the audit trail). */
  commands: RunCommand[];
  /** State and health changes, oldest first: `{ at, from, to, reason }`. */
  transitions: RunTransition[];
}

/** One change of state or health. */
export interface RunTransition {
  at: string;
  kind: 'state' | 'health';
  from: string;
  to: string;
  reason: string;
}

/** Body of a run creation (HTTP `POST /api/v1/runs`, SDK `runs.start`). */
export interface CreateRunInput {
  experiment: string;
  version: string;
  params?: Record<string, unknown>;
  heartbeatIntervalMs?: number;
  /** Chosen id (idempotent: the same id with the same experiment returns the existing run). */
  id?: string;
}

/** Body of a heartbeat. `step` and `checkpointVersion` never go backwards (409 otherwise). */
export interface HeartbeatInput {
  step: number;
  checkpointVersion: number;
  metrics?: Record<string, number>;
  runtimeStatus?: string;
}

/** Body of a command. A repeated `id` returns the first command and creates nothing. */
export interface CommandInput {
  id?: string;
  type: RunCommandType;
  params?: Record<string, unknown>;
}

/** Body of a run's end, reported by the job (`POST /api/v1/runs/{id}/finish`, SDK `run.finish`). */
export interface FinishInput {
  state: 'succeeded' | 'failed';
  error?: string;
}

/** What the state reducer keeps of a run for the views: the record without its audit lists, plus a short metric history. */
export interface RunSummary extends Omit<Run, 'commands' | 'transitions'> {
  /** Commands sent and not yet acknowledged. */
  pendingCommands: number;
  /** The last RUN_HISTORY_LENGTH heartbeats, oldest first, for the views' small charts. */
  history: { at: string; step: number; metrics: Record<string, number> }[];
}

/** Heartbeats kept per run in the reduced state. */
export const RUN_HISTORY_LENGTH = 40;

// Added with the registry: the grace period of a terminate (interface merging keeps the
// declarations above as they are), ids, and the request/reply contract of the bus and the API.

/** Body of a run creation: how long a `terminate` may go unacknowledged before its process is stopped. */
export interface CreateRunInput {
  terminateGraceMs?: number;
}
/** A run records the grace period of its terminate (DEFAULT_TERMINATE_GRACE_MS when not given). */
export interface Run {
  terminateGraceMs?: number;
}
/** Grace period of a terminate when the run declares none. */
export const DEFAULT_TERMINATE_GRACE_MS = 30_000;

/** Run and command ids: subject tokens, so no dots or spaces. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Operations of the registry, as bus subjects `nestor.runs.<op>`. */
export const RUN_OPS = ['create', 'get', 'list', 'heartbeat', 'finish', 'command', 'next', 'ack', 'attach'] as const;
/** One registry operation. */
export type RunOp = (typeof RUN_OPS)[number];

/** Why the registry refused a request (`internal`: an unexpected failure, not the caller's fault). */
export type RunErrorCode = 'invalid' | 'not_found' | 'conflict' | 'finished' | 'too_large' | 'internal';

/** A registry request on the bus: the run, the command, the body, who asks. */
export interface RunRequest {
  id?: string;
  commandId?: string;
  body?: unknown;
  by?: string;
}

/** A registry answer on the bus; `details` names the field, stored and sent values of a conflict. */
export type RunReply<T = unknown> = { ok: true; data: T } | { ok: false; code: RunErrorCode; message: string; details?: Record<string, unknown> };

/** Filters and paging of a run list (ids in ascending order; `after` is the last id of the previous page). */
export interface RunListFilter {
  state?: RunState;
  health?: RunHealth;
  experiment?: string;
  limit?: number;
  after?: string;
}

/** One page of runs; `next` is the `after` of the following page, null on the last. */
export interface RunPage {
  runs: Run[];
  next: string | null;
}

/** What a command request answers: the command, and false when its id was already known. */
export interface RunCommandResult {
  command: RunCommand;
  created: boolean;
}

/** Largest body the registry accepts, over HTTP and over the bus. */
export const RUN_BODY_LIMIT = 64 * 1024;
