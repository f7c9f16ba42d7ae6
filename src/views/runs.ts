// The runs (long jobs reporting heartbeats) as `nestor runs`, the dashboard's runs page and the
// TUI's runs view show them: one row per run, a detail model for the selected one, the colour
// of its state and health, and the commands a person can send it. Pure: the clock is an
// argument, and a row is built from the reducer's RunSummary (the full Run adds its audit lists).
import { FINISHED_RUN_STATES, RUN_COMMAND_TYPES, RUN_HEALTH, RUN_STATES } from '../runs/core/index.ts';
import type { Run, RunCommandType, RunHealth, RunState, RunSummary } from '../runs/core/index.ts';
import { formatDuration } from './duration.ts';
import type { DetailField } from './detail.ts';
import type { Tone } from './tone.ts';

/** One run in the list of every UI. */
export interface RunRow {
  id: string;
  /** `experiment@version`. */
  experiment: string;
  state: RunState;
  stateTone: Tone;
  health: RunHealth;
  healthTone: Tone;
  step: number;
  checkpoint: number;
  /** Age of the last heartbeat ("3s ago"), or "never". */
  heartbeat: string;
  /** Commands sent and not yet acknowledged. */
  pending: number;
  /** The metric the sparkline draws, or null when the run reported none. */
  metric: string | null;
  /** Its last value, formatted ('' without a metric). */
  metricValue: string;
  /** The metric over the kept heartbeats, as block characters ('' without a metric). */
  sparkline: string;
}

/** The detail of one run. */
export interface RunDetail {
  id: string;
  title: string;
  state: RunState;
  stateTone: Tone;
  health: RunHealth;
  healthTone: Tone;
  fields: DetailField[];
  params: DetailField[];
  metrics: DetailField[];
  /** One metric over the kept heartbeats (null without metrics). */
  chart: RunChart | null;
  /** The last state and health changes, newest first (empty without the full Run). */
  transitions: string[];
  /** The last commands with their stamps, newest first (empty without the full Run). */
  commands: string[];
}

/** A metric's values over the kept heartbeats, for a chart. */
export interface RunChart {
  metric: string;
  /** Every metric the history holds, so a UI can offer another. */
  metrics: string[];
  values: number[];
  steps: number[];
  min: number;
  max: number;
}

/** A command a person can send a run from any UI, with its key in the TUI's runs view. */
export interface RunUiAction {
  type: RunCommandType;
  key: string;
  label: string;
}

/** The run commands every UI offers, in display order (tune asks for key=value pairs first). */
export const RUN_UI_ACTIONS: readonly RunUiAction[] = [
  { type: 'pause', key: 'p', label: 'Pause' },
  { type: 'resume', key: 'r', label: 'Resume' },
  { type: 'terminate', key: 't', label: 'Terminate' },
  { type: 'tune', key: 'u', label: 'Tune' },
];

/** Filters of a runs list. */
export interface RunFilter {
  state?: RunState;
  health?: RunHealth;
  experiment?: string;
}

const STATE_TONES: Record<RunState, Tone> = {
  queued: 'warn',
  running: 'ok',
  paused: 'warn',
  succeeded: 'ok',
  failed: 'error',
  terminated: 'muted',
};

const HEALTH_TONES: Record<RunHealth, Tone> = { healthy: 'ok', late: 'warn', stale: 'error', lost: 'error' };

const DETAIL_LINES = 8;
const SPARK = '▁▂▃▄▅▆▇█';

/** Colour family of a run state. */
export function runStateTone(state: RunState): Tone {
  return STATE_TONES[state];
}

/** Colour family of a run's health; a finished run's health no longer matters and is muted. */
export function runHealthTone(health: RunHealth, state?: RunState): Tone {
  return state !== undefined && isFinished(state) ? 'muted' : HEALTH_TONES[health];
}

/** Whether a run has ended (succeeded, failed or terminated). */
export function isFinished(state: RunState): boolean {
  return FINISHED_RUN_STATES.includes(state);
}

/** Which commands make sense now: pause a running run, resume a paused one; terminate and tune any unfinished one. */
export function availableRunActions(run: Pick<RunSummary, 'state'>): RunCommandType[] {
  if (isFinished(run.state)) return [];
  const out: RunCommandType[] = [];
  if (run.state === 'running') out.push('pause');
  if (run.state === 'paused') out.push('resume');
  out.push('terminate', 'tune');
  return out;
}

/** "3s ago", "2m 05s ago", or "never" when the run has not sent a heartbeat. */
export function heartbeatAge(lastHeartbeatAt: string | null, now: Date): string {
  if (lastHeartbeatAt === null) return 'never';
  const at = Date.parse(lastHeartbeatAt);
  return Number.isNaN(at) ? 'never' : `${formatDuration(now.getTime() - at)} ago`;
}

/** The metric a run's chart shows: `chosen` when the run reports it, else its first metric key (null without any). */
export function runMetricKey(run: Pick<RunSummary, 'metrics' | 'history'>, chosen?: string): string | null {
  const keys = metricKeys(run);
  if (chosen !== undefined && keys.includes(chosen)) return chosen;
  return keys[0] ?? null;
}

/** Every metric key of the last heartbeat, then those only older heartbeats carry. */
export function metricKeys(run: Pick<RunSummary, 'metrics' | 'history'>): string[] {
  const keys = new Set(Object.keys(run.metrics));
  for (let i = run.history.length - 1; i >= 0; i--) for (const k of Object.keys(run.history[i]?.metrics ?? {})) keys.add(k);
  return [...keys];
}

/** Block characters (▁…█) for `values`, scaled between their min and max; the last `width` values. */
export function sparkline(values: readonly number[], width = 16): string {
  const shown = values.filter(Number.isFinite).slice(-width);
  if (shown.length === 0) return '';
  const min = Math.min(...shown);
  const max = Math.max(...shown);
  const top = SPARK.length - 1;
  return shown.map((v) => SPARK[max === min ? Math.floor(top / 2) : Math.round(((v - min) / (max - min)) * top)]).join('');
}

/** A metric value as the tables show it: integers as they are, others with 4 significant digits. */
export function formatMetric(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/** The row of one run. */
export function selectRunRow(run: RunSummary, now: Date, metric?: string): RunRow {
  const key = runMetricKey(run, metric);
  const series = key === null ? [] : seriesOf(run, key).values;
  const last = key === null ? undefined : (run.metrics[key] ?? series[series.length - 1]);
  return {
    id: run.id,
    experiment: `${run.experiment}@${run.version}`,
    state: run.state,
    stateTone: runStateTone(run.state),
    health: run.health,
    healthTone: runHealthTone(run.health, run.state),
    step: run.step,
    checkpoint: run.checkpointVersion,
    heartbeat: heartbeatAge(run.lastHeartbeatAt, now),
    pending: run.pendingCommands,
    metric: key,
    metricValue: last === undefined ? '' : formatMetric(last),
    sparkline: sparkline(series),
  };
}

/** Rows of the runs that pass `filter`: unfinished first, then newest first. */
export function selectRunRows(runs: readonly RunSummary[], now: Date, filter: RunFilter = {}, metric?: string): RunRow[] {
  return sortRuns(filterRuns(runs, filter)).map((r) => selectRunRow(r, now, metric));
}

/** The runs that pass `filter` (state, health, experiment name). */
export function filterRuns<R extends Pick<RunSummary, 'state' | 'health' | 'experiment'>>(runs: readonly R[], filter: RunFilter): R[] {
  return runs.filter(
    (r) =>
      (filter.state === undefined || r.state === filter.state) &&
      (filter.health === undefined || r.health === filter.health) &&
      (filter.experiment === undefined || r.experiment === filter.experiment),
  );
}

/** Unfinished runs first, then by creation time, newest first, then by id. */
export function sortRuns<R extends Pick<RunSummary, 'state' | 'createdAt' | 'id'>>(runs: readonly R[]): R[] {
  return [...runs].sort((a, b) => {
    const fa = isFinished(a.state) ? 1 : 0;
    const fb = isFinished(b.state) ? 1 : 0;
    if (fa !== fb) return fa - fb;
    if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** A registry record as the rows read it: its pending commands counted, no heartbeat history. A summary stays as it is. */
export function asRunSummary(run: Run | RunSummary): RunSummary {
  if ('pendingCommands' in run) return run;
  const { commands, transitions: _t, ...rest } = run;
  return { ...rest, pendingCommands: commands.filter((c) => c.acknowledgedAt === null).length, history: [] };
}

/** What changed between two versions of a run, in words ("created", "running → paused", "step 40"); [] when nothing shown changed. */
export function describeRunChange(before: RunSummary | undefined, after: RunSummary): string[] {
  if (before === undefined) return [`created ${after.experiment}@${after.version} (${after.state})`];
  const out: string[] = [];
  if (before.state !== after.state) out.push(`${before.state} → ${after.state}${after.error === null ? '' : ` (${after.error})`}`);
  if (before.health !== after.health) out.push(`health ${before.health} → ${after.health}`);
  if (before.lastHeartbeatAt !== after.lastHeartbeatAt) {
    const metrics = Object.entries(after.metrics).map(([k, v]) => `${k}=${formatMetric(v)}`);
    out.push(`step ${after.step} ckpt ${after.checkpointVersion}${metrics.length > 0 ? ` ${metrics.join(' ')}` : ''}`);
  }
  if (before.pendingCommands !== after.pendingCommands) out.push(`${after.pendingCommands} pending command${after.pendingCommands === 1 ? '' : 's'}`);
  if (JSON.stringify(before.params) !== JSON.stringify(after.params)) out.push(`params ${JSON.stringify(after.params)}`);
  return out;
}

/** The first run of a list the UIs select: the first unhealthy unfinished one, else the first. */
export function initialRunSelection(rows: readonly RunRow[]): string | null {
  return (rows.find((r) => !isFinished(r.state) && r.health !== 'healthy') ?? rows[0])?.id ?? null;
}

/** The detail of one run; the full Run (from the registry) adds its last transitions and commands. */
export function selectRunDetail(run: RunSummary | Run, now: Date, metric?: string): RunDetail {
  const b = run.binding;
  const pending = 'pendingCommands' in run ? run.pendingCommands : run.commands.filter((c) => c.acknowledgedAt === null).length;
  const fields: DetailField[] = [
    { label: 'Experiment', value: `${run.experiment}@${run.version}` },
    { label: 'State', value: run.state },
    { label: 'Health', value: run.health },
    { label: 'Status', value: run.runtimeStatus || '-' },
    { label: 'Step', value: String(run.step) },
    { label: 'Checkpoint', value: String(run.checkpointVersion) },
    { label: 'Heartbeat', value: `${heartbeatAge(run.lastHeartbeatAt, now)} (every ${formatDuration(run.heartbeatIntervalMs)})` },
    { label: 'Pending', value: String(pending) },
    { label: 'Binding', value: b === null ? '-' : `${b.instance} on ${b.node}${b.pid === null ? '' : ` pid ${b.pid}`}${b.processControl ? ' (process control)' : ''}` },
    { label: 'Created', value: run.createdAt },
    { label: 'Started', value: run.startedAt ?? '-' },
    { label: 'Finished', value: run.finishedAt ?? '-' },
  ];
  if (run.error !== null) fields.push({ label: 'Error', value: run.error });
  const history = 'history' in run ? run.history : [];
  const summary = { metrics: run.metrics, history };
  const key = runMetricKey(summary, metric);
  const series = key === null ? null : seriesOf(summary, key);
  return {
    id: run.id,
    title: `${run.id} · ${run.experiment}@${run.version}`,
    state: run.state,
    stateTone: runStateTone(run.state),
    health: run.health,
    healthTone: runHealthTone(run.health, run.state),
    fields,
    params: Object.entries(run.params).map(([label, v]) => ({ label, value: typeof v === 'string' ? v : JSON.stringify(v) })),
    metrics: Object.entries(run.metrics).map(([label, v]) => ({ label, value: formatMetric(v) })),
    chart:
      key === null || series === null || series.values.length === 0
        ? null
        : { metric: key, metrics: metricKeys(summary), values: series.values, steps: series.steps, min: Math.min(...series.values), max: Math.max(...series.values) },
    transitions: 'transitions' in run ? run.transitions.slice(-DETAIL_LINES).reverse().map((t) => `${t.at.slice(11, 19)} ${t.kind} ${t.from} → ${t.to}${t.reason ? ` (${t.reason})` : ''}`) : [],
    commands: 'commands' in run ? run.commands.slice(-DETAIL_LINES).reverse().map(commandLine) : [],
  };
}

function commandLine(c: Run['commands'][number]): string {
  const params = Object.keys(c.params).length === 0 ? '' : ` ${JSON.stringify(c.params)}`;
  const stage = c.acknowledgedAt !== null ? `acked ${c.acknowledgedAt.slice(11, 19)}` : c.deliveredAt !== null ? `delivered ${c.deliveredAt.slice(11, 19)}` : 'sent, not delivered';
  return `${c.createdAt.slice(11, 19)} ${c.type}${params} by ${c.requestedBy} · ${stage} · ${c.id}`;
}

function seriesOf(run: Pick<RunSummary, 'history'>, key: string): { values: number[]; steps: number[] } {
  const values: number[] = [];
  const steps: number[] = [];
  for (const h of run.history) {
    const v = h.metrics[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    values.push(v);
    steps.push(h.step);
  }
  return { values, steps };
}

/** Parses `key=value` pairs of a tune command: values as JSON when they parse, else as strings. */
export function parseTunePairs(pairs: readonly string[]): { ok: true; params: Record<string, unknown> } | { ok: false; message: string } {
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) return { ok: false, message: `"${pair}" is not key=value` };
    const raw = pair.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    params[pair.slice(0, at)] = value;
  }
  if (Object.keys(params).length === 0) return { ok: false, message: 'tune needs at least one key=value pair (such as lr=0.01)' };
  return { ok: true, params };
}

/** Whether `value` names a run state. */
export function isRunState(value: string): value is RunState {
  return (RUN_STATES as readonly string[]).includes(value);
}

/** Whether `value` names a health level. */
export function isRunHealth(value: string): value is RunHealth {
  return (RUN_HEALTH as readonly string[]).includes(value);
}

/** Whether `value` names a command type. */
export function isRunCommandType(value: string): value is RunCommandType {
  return (RUN_COMMAND_TYPES as readonly string[]).includes(value);
}
