// Service rows, counts and the detail of one service, as the CLI tables, the dashboard and the
// TUI show them. `now` is an argument wherever an uptime is shown, so the views stay pure.
import { LIFECYCLE_STATES, blockedBy, getService, isSettled, sortedServices } from '../state/index.ts';
import type { LifecycleState, ServiceState, State } from '../state/index.ts';
import { formatDuration } from './duration.ts';
import { toneOf } from './tone.ts';
import type { Tone } from './tone.ts';

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
  /** Why a pending service cannot start without a user's action ("blocked: alpha failed"), or null. */
  blocked: string | null;
}

/** Everything about one service, plus the row's derived fields. */
export type ServiceDetail = ServiceState & Pick<ServiceRow, 'tone' | 'uptimeMs' | 'uptime' | 'blocked'> & { portList: string[] };

/** How many services are in each state. `ok` counts ready + completed, `notOk` the rest. */
export interface ServiceCounts {
  total: number;
  byState: Record<LifecycleState, number>;
  ok: number;
  notOk: number;
  /** Services that need a user's action for anything more to happen (the rule of `up --detach`). */
  settled: number;
}

const HAS_PROCESS = new Set<LifecycleState>(['running', 'ready', 'stopping']);

/** Table rows for every service, sorted by id. */
export function selectServiceRows(state: State, now: Date): ServiceRow[] {
  return sortedServices(state).map((s) => toRow(state, s, now));
}

/** Counts by lifecycle state. */
export function selectCounts(state: State): ServiceCounts {
  const byState = Object.fromEntries(LIFECYCLE_STATES.map((k) => [k, 0])) as Record<LifecycleState, number>;
  let total = 0;
  let settled = 0;
  for (const s of Object.values(state.services)) {
    byState[s.state]++;
    total++;
    if (isSettled(state, s)) settled++;
  }
  const ok = byState.ready + byState.completed;
  return { total, byState, ok, notOk: total - ok, settled };
}

/** Detail of one service, or null when it is unknown; uptime is given only with `now`. */
export function selectService(state: State, id: string, now?: Date): ServiceDetail | null {
  const s = getService(state, id);
  if (s === undefined) return null;
  const uptimeMs = now === undefined ? null : uptimeOf(s, now);
  return { ...s, tone: toneOf(s.state), uptimeMs, uptime: uptimeText(uptimeMs), portList: portList(s.ports), blocked: blockedBy(state, s)?.reason ?? null };
}

function toRow(state: State, s: ServiceState, now: Date): ServiceRow {
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
    blocked: blockedBy(state, s)?.reason ?? null,
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
