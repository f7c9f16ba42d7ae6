// The machine-readable status document: `nestor status --json`, `list --json`, `watch --json`
// and `GET /api/v1/services` all print this shape (documented in docs/cli.md).
import { blockedBy, isSettled } from '../state/index.ts';
import type { LifecycleState, ServiceState, State } from '../state/index.ts';
import { groupInstances, instanceEntry, summaryState } from './instances.ts';
import type { InstanceEntry } from './instances.ts';

/** One service in `nestor status --json` / `list --json` / `GET /api/v1/services`. */
export interface StatusEntry {
  id: string;
  displayName: string;
  state: LifecycleState;
  enabled: boolean;
  kind: ServiceState['kind'];
  pid: number | null;
  ports: Record<string, number>;
  /** Restarts in this run of its node. */
  restarts: number;
  /** Restarts over the whole stored history. */
  restartsTotal: number;
  /** No further transition will happen without a user's action (docs/cli.md, *Settled*). */
  settled: boolean;
  /** Why a pending service cannot start without a user's action ("blocked: alpha failed"), or null. */
  blocked: string | null;
  attempt: number;
  node: string;
  health: ServiceState['health'];
  waitingFor: string[];
  dependencies: ServiceState['dependencies'];
  lastExit: ServiceState['lastExit'];
  lastError: string | null;
  nextRestartAt: string | null;
  /** A scheduled oneshot's next planned run (ISO time), null when none is planned or it has no schedule. */
  nextRunAt: string | null;
  /** A scheduled oneshot's schedule in words ("every 30s", "cron 0 3 * * * (UTC)"), null without one. */
  schedule: string | null;
  startedAt: string | null;
  readyAt: string | null;
  since: string;
  log: ServiceState['log'];
  /** Every instance of the service, `<service>@<n>` in instance order (one entry for a single instance). */
  instances: InstanceEntry[];
}

/** The `status --json` document, plus the stream sequence it reflects. */
export interface StatusJson {
  seq: number;
  services: StatusEntry[];
}

/**
 * The `status --json` document: one entry per service, sorted by id. A single instance's entry is
 * that instance's; with several, `state` is their summary (summaryState: ready only when all
 * are), `settled` holds when all are, restarts are summed, and the rest is the first instance's.
 * Independent of the clock, so replays compare exactly.
 */
export function selectStatusJson(state: State): StatusJson {
  return { seq: state.seq, services: groupInstances(state).map(({ service, instances }) => entryOf(state, service, instances)) };
}

/** The entry of one instance alone, under its own name (`GET /api/v1/services/web@2`). */
export function selectInstanceEntry(state: State, s: ServiceState): StatusEntry {
  return { ...entryOf(state, s.service, [s]), id: instanceEntry(s).id };
}

function entryOf(state: State, service: string, instances: ServiceState[]): StatusEntry {
  const s = instances[0] as ServiceState;
  const many = instances.length > 1;
  return {
    id: service,
    displayName: s.displayName,
    state: many ? summaryState(instances.map((i) => i.state)) : s.state,
    enabled: instances.some((i) => i.enabled),
    kind: s.kind,
    pid: s.pid,
    ports: s.ports,
    restarts: instances.reduce((n, i) => n + i.restarts, 0),
    restartsTotal: instances.reduce((n, i) => n + i.restartsTotal, 0),
    settled: instances.every((i) => isSettled(state, i)),
    blocked: instances.map((i) => blockedBy(state, i)?.reason ?? null).find((b) => b !== null) ?? null,
    attempt: s.attempt,
    node: s.node,
    health: s.health,
    waitingFor: s.waitingFor,
    dependencies: s.dependencies,
    lastExit: s.lastExit,
    lastError: s.lastError,
    nextRestartAt: s.nextRestartAt,
    nextRunAt: s.nextRunAt,
    schedule: s.schedule,
    startedAt: s.startedAt,
    readyAt: s.readyAt,
    since: s.since,
    log: s.log,
    instances: instances.map(instanceEntry),
  };
}
