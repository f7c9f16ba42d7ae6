// `nestor status [ID] [--at SEQ|TIME]` and `nestor list`: the state reduced from the running
// instance's event stream (up to a point with --at), as a table or as the contract's JSON
// document `{ "seq", "services": [...] }` (selectStatusJson).
import { join } from 'node:path';
import { readEvents } from '../bus/index.ts';
import type { BusReader } from '../bus/index.ts';
import { logFileOf, pathDirectories } from '../process/index.ts';
import { getService } from '../state/index.ts';
import { groupInstances, recordKeyOf, resolveTarget, selectInstanceEntry, selectService, selectServiceRows, selectStatusJson, summaryState } from '../views/index.ts';
import type { ServiceState, State } from '../state/index.ts';
import { connectInstance } from './connect.ts';
import type { CliContext } from './context.ts';
import { UsageError } from './errors.ts';
import { serviceDetailLines } from './format.ts';
import { parsePoint, stateAtPoint } from './history.ts';
import type { Point } from './history.ts';
import { renderRows, renderTable } from './table.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor status`. */
export interface StatusFlags {
  file?: string;
  json?: boolean;
  at?: string;
  /** With an id: also what is too long for the table, such as the PATH a failed start searched. */
  verbose?: boolean;
}

/** Prints the state of every service, or of one. */
export async function runStatus(id: string | undefined, flags: StatusFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const point = flags.at === undefined ? undefined : parsePoint('--at', flags.at, Date.now());
  await using conn = await connectInstance(ctx, flags.file);
  const state = await stateAtPoint(conn.bus, point);
  if (id !== undefined) requireService(state, id);
  const key = id === undefined ? null : recordKeyOf(id);
  if (flags.json) {
    const doc = selectStatusJson(state);
    // An instance name shows that instance alone, under its own name.
    const one = id?.includes('@') && key !== null ? [selectInstanceEntry(state, getService(state, key) as ServiceState)] : doc.services.filter((s) => s.id === id);
    term.out(JSON.stringify(id === undefined ? doc : { ...doc, services: one }));
    return 0;
  }
  if (point !== undefined) term.info(`state as of ${point.kind === 'seq' ? `seq ${point.seq}` : point.iso} (through seq ${state.seq})`);
  const now = nowFor(state, point);
  if (id !== undefined) {
    const detail = selectService(state, id, now);
    if (detail !== null) for (const line of serviceDetailLines(detail, logFileOf(join(conn.info.dataDir, 'logs'), detail.id))) term.out(line);
    if (flags.verbose) for (const line of await searchPathLines(conn.bus, detail?.service ?? id, state.seq)) term.out(line);
    return 0;
  }
  if (Object.keys(state.services).length === 0) {
    term.out('no services registered');
    return 0;
  }
  for (const line of renderRows(selectServiceRows(state, now))) term.out(line);
  return 0;
}

// The PATH is recorded by the start.failed event itself (the node's environment, not this
// shell's, is what was searched); the last such event up to the state shown is the one listed.
async function searchPathLines(bus: BusReader, id: string, until: number): Promise<string[]> {
  let last: { at: string; attempt: number; path: string } | null = null;
  for await (const item of readEvents(bus, { filter: `orchestrator.service.*.${id}.start.failed`, until })) {
    if (!item.ok || item.event.type !== 'orchestrator.service.start.failed') continue;
    const { searchPath, attempt } = item.event.data;
    if (searchPath !== undefined) last = { at: item.event.timestamp, attempt, path: searchPath };
  }
  if (last === null) return ['search path   - (no start of this service failed for a command missing from PATH)'];
  const dirs = pathDirectories(last.path);
  return [`search path   PATH searched by start attempt ${last.attempt} at ${last.at} (${dirs.length} directories, in order):`, ...dirs.map((d) => `  ${d}`)];
}

/** Flags of `nestor list`. */
export interface ListFlags {
  file?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Lists the registered services: what they are rather than how they run. */
export async function runList(flags: ListFlags, ctx: CliContext, term: Terminal): Promise<number> {
  await using conn = await connectInstance(ctx, flags.file);
  const state = await stateAtPoint(conn.bus);
  if (flags.json) {
    term.out(JSON.stringify(selectStatusJson(state)));
    return 0;
  }
  const groups = groupInstances(state);
  if (flags.quiet) {
    for (const g of groups) term.out(g.service);
    return 0;
  }
  if (groups.length === 0) {
    term.out('no services registered');
    return 0;
  }
  const rows = groups.map(({ service, instances }) => {
    const s = instances[0] as ServiceState;
    const nodes = [...new Set(instances.map((i) => i.node || '-'))].join(',');
    return [
      instances.length > 1 ? `${service} (×${instances.length})` : service,
      summaryState(instances.map((i) => i.state)),
      instances.some((i) => i.enabled) ? 'yes' : 'no',
      s.kind,
      nodes,
      s.dependencies.map((d) => d.id).join(',') || '-',
      s.description || s.displayName || '-',
    ];
  });
  for (const line of renderTable(['SERVICE', 'STATE', 'ENABLED', 'KIND', 'NODE', 'DEPENDS ON', 'DESCRIPTION'], rows)) term.out(line);
  return 0;
}

/** Throws a usage error (exit 2) naming the known services (or instances) when `id` names none. */
export function requireService(state: State, id: string): void {
  const target = resolveTarget(state, id);
  if (target.kind === 'unknown-instance') throw new UsageError(`unknown instance "${id}"; ${target.service} has ${target.known.join(', ')}`);
  if (target.kind !== 'unknown-service') return;
  const known = target.known;
  throw new UsageError(`unknown service "${id}"; ${known.length ? `registered: ${known.join(', ')}` : 'no services are registered'}`);
}

// Uptimes are measured at the point shown: now, the --at time, or the last transition at a seq.
function nowFor(state: State, point: Point | undefined): Date {
  if (point === undefined) return new Date();
  if (point.kind === 'time') return new Date(point.ms);
  const last = Math.max(0, ...Object.values(state.services).map((s) => Date.parse(s.since) || 0));
  return new Date(last);
}
