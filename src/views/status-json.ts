// The machine-readable status document: `nestor status --json`, `list --json`, `watch --json`
// and `GET /api/v1/services` all print this shape (documented in docs/cli.md).
import { blockedBy, isSettled, sortedServices } from '../state/index.ts';
import type { LifecycleState, ServiceState, State } from '../state/index.ts';

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
  startedAt: string | null;
  readyAt: string | null;
  since: string;
  log: ServiceState['log'];
}

/** The `status --json` document, plus the stream sequence it reflects. */
export interface StatusJson {
  seq: number;
  services: StatusEntry[];
}

/** The `status --json` document, services sorted by id. Independent of the clock, so replays compare exactly. */
export function selectStatusJson(state: State): StatusJson {
  return {
    seq: state.seq,
    services: sortedServices(state).map((s) => ({
      id: s.id,
      displayName: s.displayName,
      state: s.state,
      enabled: s.enabled,
      kind: s.kind,
      pid: s.pid,
      ports: s.ports,
      restarts: s.restarts,
      restartsTotal: s.restartsTotal,
      settled: isSettled(state, s),
      blocked: blockedBy(state, s)?.reason ?? null,
      attempt: s.attempt,
      node: s.node,
      health: s.health,
      waitingFor: s.waitingFor,
      dependencies: s.dependencies,
      lastExit: s.lastExit,
      lastError: s.lastError,
      nextRestartAt: s.nextRestartAt,
      startedAt: s.startedAt,
      readyAt: s.readyAt,
      since: s.since,
      log: s.log,
    })),
  };
}
