// Service rows, counts and the detail of one service, as the CLI tables, the dashboard and the
// TUI show them. `now` is an argument wherever an uptime is shown, so the views stay pure.
import { instanceKey, instanceName, parseInstance } from '../events/index.ts';
import { LIFECYCLE_STATES, blockedBy, getService, isSettled } from '../state/index.ts';
import type { LifecycleState, ServiceState, State } from '../state/index.ts';
import { formatDuration } from './duration.ts';
import { groupInstances, summaryState } from './instances.ts';
import { nextRunShort, nextRunText } from './schedule.ts';
import { toneOf } from './tone.ts';
import type { Tone } from './tone.ts';

/** One line of a service table: a service, or one of its instances listed under it. */
export interface ServiceRow {
  /** The service id on a service's row; `<service>@<n>` on an instance's row. */
  id: string;
  service: string;
  /** null on a service's row; the instance number on an instance's row. */
  instance: number | null;
  /** How many instances the service has (on both kinds of rows). */
  instanceCount: number;
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
  /** A scheduled oneshot's next run, "next 12:05:00 (in 3m 10s)"; null when none is planned. */
  nextRun: string | null;
  /** The same as "in 3m", for a narrow column. */
  nextRunShort: string | null;
}

/** Everything about one service, plus the row's derived fields. */
export type ServiceDetail = ServiceState & Pick<ServiceRow, 'tone' | 'uptimeMs' | 'uptime' | 'blocked' | 'nextRun'> & { portList: string[] };

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

/**
 * Table rows, services sorted by id. A service with several instances gets its summary row
 * (summaryState; pid, node and ports of its first instance, restarts summed) followed by one
 * row per instance; a single-instance service is one row, exactly its instance's.
 */
export function selectServiceRows(state: State, now: Date): ServiceRow[] {
  return groupInstances(state).flatMap(({ service, instances }) => {
    const first = instances[0] as ServiceState;
    const count = instances.length;
    if (count === 1) return [{ ...toRow(state, first, now), id: service, instance: null, instanceCount: 1 }];
    const summary = summaryState(instances.map((s) => s.state));
    const head: ServiceRow = {
      ...toRow(state, first, now),
      id: service,
      instance: null,
      instanceCount: count,
      state: summary,
      tone: toneOf(summary),
      enabled: instances.some((s) => s.enabled),
      restarts: instances.reduce((n, s) => n + s.restarts, 0),
      blocked: instances.map((s) => blockedBy(state, s)?.reason ?? null).find((b) => b !== null) ?? null,
    };
    const rows = instances.map((s) => ({ ...toRow(state, s, now), id: instanceName(s.service, s.instance), instance: s.instance, instanceCount: count }));
    return [head, ...rows];
  });
}

/** The record key of a service id or instance name (`web@1` is the record `web`), or null. */
export function recordKeyOf(name: string): string | null {
  const parsed = parseInstance(name);
  return parsed === null ? null : instanceKey(parsed.service, parsed.instance);
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

/** Detail of one service or instance (by key or `<service>@<n>`), or null when it is unknown; uptime is given only with `now`. */
export function selectService(state: State, id: string, now?: Date): ServiceDetail | null {
  const key = recordKeyOf(id);
  const s = key === null ? undefined : getService(state, key);
  if (s === undefined) return null;
  const uptimeMs = now === undefined ? null : uptimeOf(s, now);
  return {
    ...s,
    tone: toneOf(s.state),
    uptimeMs,
    uptime: uptimeText(uptimeMs),
    portList: portList(s.ports),
    blocked: blockedBy(state, s)?.reason ?? null,
    nextRun: nextRunText(s, now),
  };
}

function toRow(state: State, s: ServiceState, now: Date): Omit<ServiceRow, 'instance' | 'instanceCount'> {
  const uptimeMs = uptimeOf(s, now);
  return {
    id: s.id,
    service: s.service,
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
    nextRun: nextRunText(s, now),
    nextRunShort: nextRunShort(s, now),
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
