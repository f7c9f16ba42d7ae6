// `nestor status [ID] [--at SEQ|TIME]` and `nestor list`: the state reduced from the running
// instance's event stream (up to a point with --at), as a table or as the contract's JSON
// document `{ "seq", "services": [...] }` (selectStatusJson).
import { join } from 'node:path';
import { logFileOf } from '../process/index.ts';
import { getService, sortedServices } from '../state/index.ts';
import { selectService, selectServiceRows, selectStatusJson } from '../views/index.ts';
import type { State } from '../state/index.ts';
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
}

/** Prints the state of every service, or of one. */
export async function runStatus(id: string | undefined, flags: StatusFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const point = flags.at === undefined ? undefined : parsePoint('--at', flags.at, Date.now());
  await using conn = await connectInstance(ctx, flags.file);
  const state = await stateAtPoint(conn.bus, point);
  if (id !== undefined) requireService(state, id);
  if (flags.json) {
    const doc = selectStatusJson(state);
    term.out(JSON.stringify(id === undefined ? doc : { ...doc, services: doc.services.filter((s) => s.id === id) }));
    return 0;
  }
  if (point !== undefined) term.info(`state as of ${point.kind === 'seq' ? `seq ${point.seq}` : point.iso} (through seq ${state.seq})`);
  const now = nowFor(state, point);
  if (id !== undefined) {
    const detail = selectService(state, id, now);
    if (detail !== null) for (const line of serviceDetailLines(detail, logFileOf(join(conn.info.dataDir, 'logs'), id))) term.out(line);
    return 0;
  }
  if (Object.keys(state.services).length === 0) {
    term.out('no services registered');
    return 0;
  }
  for (const line of renderRows(selectServiceRows(state, now))) term.out(line);
  return 0;
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
  const services = sortedServices(state);
  if (flags.quiet) {
    for (const s of services) term.out(s.id);
    return 0;
  }
  if (services.length === 0) {
    term.out('no services registered');
    return 0;
  }
  const rows = services.map((s) => [
    s.id,
    s.state,
    s.enabled ? 'yes' : 'no',
    s.kind,
    s.node,
    s.dependencies.map((d) => d.id).join(',') || '-',
    s.description || s.displayName || '-',
  ]);
  for (const line of renderTable(['SERVICE', 'STATE', 'ENABLED', 'KIND', 'NODE', 'DEPENDS ON', 'DESCRIPTION'], rows)) term.out(line);
  return 0;
}

/** Throws a usage error (exit 2) naming the known services when `id` is not one of them. */
export function requireService(state: State, id: string): void {
  if (getService(state, id) !== undefined) return;
  const known = sortedServices(state).map((s) => s.id);
  throw new UsageError(`unknown service "${id}"; ${known.length ? `registered: ${known.join(', ')}` : 'no services are registered'}`);
}

// Uptimes are measured at the point shown: now, the --at time, or the last transition at a seq.
function nowFor(state: State, point: Point | undefined): Date {
  if (point === undefined) return new Date();
  if (point.kind === 'time') return new Date(point.ms);
  const last = Math.max(0, ...Object.values(state.services).map((s) => Date.parse(s.since) || 0));
  return new Date(last);
}
