// `nestor runs list|show|pause|resume|terminate|tune`: the run registry (long jobs reporting
// heartbeats) asked over the bus (request/reply on nestor.runs.<op>; any node answers), like the
// other verbs ask a node. The rows and the detail are the views' (src/views/runs.ts), the same
// as the dashboard's and the TUI's. Commands change nothing at once: the run's state follows
// when the job acknowledges them. `runs watch` is in runs-watch.ts.
import { isNoResponders, isTimeout, requestRuns } from '../bus/index.ts';
import type { BusReader } from '../bus/index.ts';
import { RUN_HEALTH, RUN_STATES } from '../runs/core/index.ts';
import type { Run, RunCommand, RunCommandType, RunSummary } from '../runs/core/index.ts';
import { asRunSummary, isRunHealth, isRunState, parseTunePairs, selectRunDetail, selectRunRows } from '../views/index.ts';
import type { RunFilter, RunRow } from '../views/index.ts';
import { connectInstance } from './connect.ts';
import type { CliContext } from './context.ts';
import { CliFailure, UsageError } from './errors.ts';
import { renderTable } from './table.ts';
import type { Terminal } from './terminal.ts';

/** Flags of every `nestor runs` verb. */
export interface RunsFlags {
  file?: string;
  json?: boolean;
  state?: string;
  health?: string;
  experiment?: string;
}

/** Runs fetched per list request (the registry pages longer lists). */
const PAGE = 200;

/** `nestor runs list`: every run passing the filters, unfinished first. */
export async function runRunsList(flags: RunsFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const filter = parseFilter(flags);
  await using conn = await connectInstance(ctx, flags.file);
  const runs: (Run | RunSummary)[] = [];
  let after: string | null = null;
  do {
    const page: { runs: (Run | RunSummary)[]; next: string | null } = await ask(conn.bus, 'list', { body: { ...filter, limit: PAGE, ...(after === null ? {} : { after }) } });
    runs.push(...page.runs);
    after = page.next;
  } while (after !== null);
  if (flags.json) {
    term.out(JSON.stringify({ runs }));
    return 0;
  }
  const rows = selectRunRows(runs.map(asRunSummary), new Date(), filter);
  if (rows.length === 0) {
    term.out(Object.keys(filter).length === 0 ? 'no runs' : 'no runs match');
    return 0;
  }
  for (const line of renderRuns(rows)) term.out(line);
  return 0;
}

/** The runs table. */
export function renderRuns(rows: RunRow[]): string[] {
  return renderTable(
    ['RUN', 'EXPERIMENT', 'STATE', 'HEALTH', 'STEP', 'CKPT', 'HEARTBEAT', 'PENDING', 'METRIC'],
    rows.map((r) => [
      r.id,
      r.experiment,
      r.state,
      r.health,
      String(r.step),
      String(r.checkpoint),
      r.heartbeat,
      String(r.pending),
      r.metric === null ? '-' : `${r.metric} ${r.metricValue}${r.sparkline ? ` ${r.sparkline}` : ''}`,
    ]),
  );
}

/** `nestor runs show ID`: one run's record, its last transitions and commands. */
export async function runRunsShow(id: string, flags: RunsFlags, ctx: CliContext, term: Terminal): Promise<number> {
  await using conn = await connectInstance(ctx, flags.file);
  const run = await getRun(conn.bus, id);
  if (flags.json) {
    term.out(JSON.stringify(run));
    return 0;
  }
  for (const line of runDetailLines(run)) term.out(line);
  return 0;
}

/** `runs show`'s lines: facts, params, metrics, then the last transitions and commands. */
export function runDetailLines(run: Run | RunSummary, now = new Date()): string[] {
  const d = selectRunDetail(run, now);
  const facts: [string, string][] = [
    ['run', d.id],
    ...d.fields.map((f): [string, string] => [f.label.toLowerCase(), f.value]),
    ['params', d.params.map((p) => `${p.label}=${p.value}`).join(' ') || '-'],
    ['metrics', d.metrics.map((m) => `${m.label}=${m.value}`).join(' ') || '-'],
  ];
  const width = Math.max(...facts.map(([k]) => k.length));
  const lines = facts.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  if (d.transitions.length > 0) lines.push('', 'transitions (newest first)', ...d.transitions.map((t) => `  ${t}`));
  if (d.commands.length > 0) lines.push('', 'commands (newest first)', ...d.commands.map((c) => `  ${c}`));
  return lines;
}

/** `nestor runs pause|resume|terminate ID` and `runs tune ID key=value...`: sends the command and says what happens next. */
export async function runRunsCommand(type: RunCommandType, id: string, pairs: string[], flags: RunsFlags, ctx: CliContext, term: Terminal): Promise<number> {
  let params: Record<string, unknown> = {};
  if (type === 'tune') {
    const parsed = parseTunePairs(pairs);
    if (!parsed.ok) throw new UsageError(`runs tune ${id}: ${parsed.message}`);
    params = parsed.params;
  } else if (pairs.length > 0) {
    throw new UsageError(`runs ${type} takes only the run id; got also ${pairs.join(' ')}`);
  }
  await using conn = await connectInstance(ctx, flags.file);
  const sent = await ask<{ command: RunCommand; created: boolean }>(conn.bus, 'command', { id, body: { type, params }, by: 'cli' }, id);
  const c = sent.command;
  if (flags.json) {
    term.out(JSON.stringify({ ok: true, run: id, command: c, created: sent.created }));
    return 0;
  }
  const what = type === 'tune' ? `tune ${JSON.stringify(c.params)}` : type;
  term.out(`${what} sent to run ${id} (command ${c.id}); its state changes when the job acknowledges it (\`nestor runs show ${id}\`)`);
  return 0;
}

/** The run `id` from the registry; exit 1 "no run <id>" when there is none. */
export async function getRun(bus: BusReader, id: string): Promise<Run> {
  return ask<Run>(bus, 'get', { id }, id);
}

/** The filters of `runs list`, checked: exit 2 naming the allowed values. */
export function parseFilter(flags: Pick<RunsFlags, 'state' | 'health' | 'experiment'>): RunFilter {
  const filter: RunFilter = {};
  if (flags.state !== undefined) {
    if (!isRunState(flags.state)) throw new UsageError(`--state ${JSON.stringify(flags.state)}: expected one of ${RUN_STATES.join(', ')}`);
    filter.state = flags.state;
  }
  if (flags.health !== undefined) {
    if (!isRunHealth(flags.health)) throw new UsageError(`--health ${JSON.stringify(flags.health)}: expected one of ${RUN_HEALTH.join(', ')}`);
    filter.health = flags.health;
  }
  if (flags.experiment !== undefined) {
    if (flags.experiment === '') throw new UsageError('--experiment needs a name');
    filter.experiment = flags.experiment;
  }
  return filter;
}

/**
 * One registry request; its refusals become the CLI's exits: not_found → 1 "no run <id>",
 * invalid → 2 with the registry's words, the rest → 1.
 */
async function ask<T>(bus: BusReader, op: Parameters<typeof requestRuns>[1], req: Parameters<typeof requestRuns>[2], id?: string): Promise<T> {
  let reply;
  try {
    reply = await requestRuns<T>(bus, op, req);
  } catch (err) {
    if (isNoResponders(err) || isTimeout(err)) throw new CliFailure('no node answers run registry requests (nestor.runs.*); is the instance still running (`nestor info`)?', { cause: err });
    throw err;
  }
  if (reply.ok) return reply.data;
  if (reply.code === 'not_found' && id !== undefined) throw new CliFailure(`no run ${id}; \`nestor runs list\` shows the runs`);
  if (reply.code === 'invalid') throw new UsageError(reply.message);
  // The registry's messages already name the run ("run X is succeeded; ...").
  throw new CliFailure(id === undefined || reply.message.includes(id) ? reply.message : `run ${id}: ${reply.message}`);
}
