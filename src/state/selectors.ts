// View models shared by the CLI, the web dashboard and the TUI, so the three render the same
// facts the same way. Pure: `now` is an argument wherever a duration is shown.
import { getService } from './lookup.ts';
import { LIFECYCLE_STATES } from './types.ts';
import type { LifecycleState, ServiceState, State } from './types.ts';

/** Colour family of a state badge. */
export type Tone = 'ok' | 'warn' | 'error' | 'muted';

/** One line of a service table. */
export interface ServiceRow {
  id: string;
  displayName: string;
  state: LifecycleState;
  tone: Tone;
  enabled: boolean;
  pid: number | null;
  /** `name:port`, in the order the runner reported them. */
  ports: string[];
  restarts: number;
  /** Time since the current process started, or null when there is no process. */
  uptimeMs: number | null;
  /** `uptimeMs` as text (formatDuration), or '-' when there is no process. */
  uptime: string;
  health: ServiceState['health'];
  node: string;
  waitingFor: string[];
}

/** Everything about one service, plus the row's derived fields. */
export type ServiceDetail = ServiceState & Pick<ServiceRow, 'tone' | 'uptimeMs' | 'uptime'> & { portList: string[] };

/** How many services are in each state. `ok` counts ready + completed, `notOk` the rest. */
export interface ServiceCounts {
  total: number;
  byState: Record<LifecycleState, number>;
  ok: number;
  notOk: number;
}

/** One service in `nestor status --json` / `list --json` / `GET /api/v1/services`. */
export interface StatusEntry {
  id: string;
  displayName: string;
  state: LifecycleState;
  enabled: boolean;
  kind: ServiceState['kind'];
  pid: number | null;
  ports: Record<string, number>;
  restarts: number;
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

/** The `status --json` document (DESIGN.md), plus the stream sequence it reflects. */
export interface StatusJson {
  seq: number;
  services: StatusEntry[];
}

const TONES: Record<LifecycleState, Tone> = {
  pending: 'warn',
  starting: 'warn',
  running: 'warn',
  ready: 'ok',
  stopping: 'warn',
  stopped: 'muted',
  completed: 'ok',
  backoff: 'warn',
  failed: 'error',
  disabled: 'muted',
};

const HAS_PROCESS = new Set<LifecycleState>(['running', 'ready', 'stopping']);
const SETTLED = new Set<LifecycleState>(['ready', 'completed', 'failed', 'disabled']);

/** Badge tone of a lifecycle state. */
export function toneOf(state: LifecycleState): Tone {
  return TONES[state];
}

/** True once a service needs nothing more to happen (`up --detach` waits for this on every enabled service). */
export function isSettled(service: ServiceState): boolean {
  return SETTLED.has(service.state);
}

/** Services in id order. */
export function sortedServices(state: State): ServiceState[] {
  return Object.values(state.services).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Table rows for every service, sorted by id. */
export function selectServiceRows(state: State, now: Date): ServiceRow[] {
  return sortedServices(state).map((s) => toRow(s, now));
}

/** Counts by lifecycle state. */
export function selectCounts(state: State): ServiceCounts {
  const byState = Object.fromEntries(LIFECYCLE_STATES.map((k) => [k, 0])) as Record<LifecycleState, number>;
  let total = 0;
  for (const s of Object.values(state.services)) {
    byState[s.state]++;
    total++;
  }
  const ok = byState.ready + byState.completed;
  return { total, byState, ok, notOk: total - ok };
}

/** Detail of one service, or null when it is unknown; uptime is given only with `now`. */
export function selectService(state: State, id: string, now?: Date): ServiceDetail | null {
  const s = getService(state, id);
  if (s === undefined) return null;
  const uptimeMs = now === undefined ? null : uptimeOf(s, now);
  return { ...s, tone: toneOf(s.state), uptimeMs, uptime: uptimeText(uptimeMs), portList: portList(s.ports) };
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

/** A compact duration: 850ms, 42s, 3m 12s, 2h 05m, 4d 07h. Negative durations read as 0s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s';
  if (ms < 1000) return `${Math.floor(ms)}ms`;
  const sec = Math.floor(ms / 1000);
  if (sec < 60) return `${sec}s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min}m ${pad(sec % 60)}s`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return `${hours}h ${pad(min % 60)}m`;
  return `${Math.floor(hours / 24)}d ${pad(hours % 24)}h`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function toRow(s: ServiceState, now: Date): ServiceRow {
  const uptimeMs = uptimeOf(s, now);
  return {
    id: s.id,
    displayName: s.displayName,
    state: s.state,
    tone: toneOf(s.state),
    enabled: s.enabled,
    pid: s.pid,
    ports: portList(s.ports),
    restarts: s.restarts,
    uptimeMs,
    uptime: uptimeText(uptimeMs),
    health: s.health,
    node: s.node,
    waitingFor: s.waitingFor,
  };
}

function uptimeOf(s: ServiceState, now: Date): number | null {
  if (!HAS_PROCESS.has(s.state) || s.startedAt === null) return null;
  const started = Date.parse(s.startedAt);
  return Number.isNaN(started) ? null : Math.max(0, now.getTime() - started);
}

function uptimeText(ms: number | null): string {
  return ms === null ? '-' : formatDuration(ms);
}

function portList(ports: Record<string, number>): string[] {
  return Object.entries(ports).map(([name, port]) => `${name}:${port}`);
}
