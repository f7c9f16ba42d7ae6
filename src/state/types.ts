// The derived state every view shares. Built only by reducing events; nothing here is set
// from outside the reducer.
import type { RunTable } from './runs.ts';
import type { Placement } from '../spec/index.ts';

/** Lifecycle states of a service (docs/events.md, *The service lifecycle*). */
export const LIFECYCLE_STATES = [
  'pending',
  'starting',
  'running',
  'ready',
  'stopping',
  'stopped',
  'completed',
  'backoff',
  'failed',
  'disabled',
  'lost',
] as const;
/** One lifecycle state. */
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** Probe status as last reported. */
export type ProbeStatus = 'unknown' | 'passing' | 'failing';

/** Everything known about one service. */
export interface ServiceState {
  /** The record's key: the service id for its first instance, `<service>@<n>` for the others. */
  id: string;
  /** The service this instance belongs to. */
  service: string;
  /** The instance number, 1..replicas. */
  instance: number;
  state: LifecycleState;
  enabled: boolean;
  /** The node that runs it ('' while a placed instance waits for a node). */
  node: string;
  replicas: number;
  /** The node that published its latest registration. */
  registeredBy: string;
  /** Where its instances may run; null: on the node that registered it. */
  placement: Placement | null;
  displayName: string;
  description: string;
  kind: 'daemon' | 'oneshot';
  dependencies: { id: string; condition: string }[];
  profiles: string[];
  specVersion: number;
  specHash: string;
  pid: number | null;
  ports: Record<string, number>;
  /** Restarts in this run of its node (since its latest node.up): each scheduled retry, plus each start after a restart command. */
  restarts: number;
  /** Restarts over the whole stored history, every run included. */
  restartsTotal: number;
  /** The last exit or start failure announced that a restart follows: `stopped`/`failed` is not where it rests. */
  restartPending: boolean;
  /** Attempt number of the current or next start (0 = first start). */
  attempt: number;
  /** A restart command was accepted and the next start has not happened yet (it counts as a restart). */
  restartRequested: boolean;
  waitingFor: string[];
  lastExit: { code: number | null; signal: string | null; at: string } | null;
  lastError: string | null;
  nextRestartAt: string | null;
  /** A scheduled oneshot's next planned run (ISO time); null: none planned or not scheduled. */
  nextRunAt: string | null;
  /** A scheduled oneshot's schedule in words ("every 30s"); null: not scheduled. */
  schedule: string | null;
  health: { readiness: ProbeStatus; liveness: ProbeStatus };
  log: { bytes: number; lines: number };
  /** Timestamp of the last lifecycle transition. */
  since: string;
  startedAt: string | null;
  readyAt: string | null;
  /** Stream sequence of the last event applied to this service (0 when built without sequences). */
  lastSeq: number;
}

/** A Nestor node as seen through its events. */
export interface NodeState {
  id: string;
  status: 'up' | 'down';
  pid: number | null;
  hostname: string;
  version: string;
  nats: string;
  api: string | null;
  dataDir: string;
  broker: 'connected' | 'reconnecting' | 'disconnected';
  since: string;
  tags: string[];
  /** Where other nodes reach its services ({services.<id>.host}). */
  address: string;
  /** Asked to move its movable instances away and take nothing new. */
  draining: boolean;
  /** Why it went down, and which survivor said so (null when it said it itself). */
  downReason: string | null;
  declaredBy: string | null;
  /** Its managed Caddy, once one started there (absent: never). */
  caddy?: CaddyState;
}

/** One route of a node's Caddy: what it matches and the instances it reaches. */
export interface CaddyRoute {
  hosts: string[];
  paths: string[];
  services: string[];
  /** host:port of each instance behind it. */
  upstreams: string[];
}

/** A node's managed Caddy as its events tell it. */
export interface CaddyState {
  running: boolean;
  pid: number | null;
  http: number;
  https: number;
  admin: number;
  routes: CaddyRoute[];
  routeCount: number;
  upstreamCount: number;
  /** Hosts whose certificate its Caddy stored on the bus or restored from it, as `host (issuer)`, sorted. */
  certificates: string[];
  /** Timestamp of the last start or stop. */
  since: string;
}

/** The whole derived state. */
export interface State {
  services: Record<string, ServiceState>;
  nodes: Record<string, NodeState>;
  /** Runs (long jobs) as their `orchestrator.run.*` events tell them (read with runById/runList). */
  runs: RunTable;
  /** Stream sequence of the last event included (the snapshot cursor). */
  seq: number;
  /** Events applied and events ignored as impossible in the state they met. */
  counters: { applied: number; ignored: number; ignoredByType: Record<string, number> };
}

/**
 * Version of what the reducer makes of the events. A snapshot records the version that built it
 * and is restored only by the same one: bump this whenever reduce() or the State shape changes
 * meaning, so that stored snapshots of the old reducer are ignored rather than trusted.
 */
export const REDUCER_VERSION = 7;

/** A state plus the last stream sequence it includes: snapshot + events after seq = full replay. */
export interface Snapshot {
  /** The REDUCER_VERSION that built the state. */
  version: number;
  throughSeq: number;
  state: State;
}
