// `nestor status [ID] [--at SEQ|TIME]` and `nestor list`: the state reduced from the running
// instance's event stream (up to a point with --at), as a table or as the contract's JSON
// document `{ "seq", "services": [...] }` (selectStatusJson). The state as it is now comes from
// the node's HTTP API when it answers (live-api.ts), else from the stream (status-stream.ts,
// imported only then: it brings the NATS client).
import { join } from 'node:path';
import { logFileOf } from '../process/index.ts';
import { getService } from '../state/index.ts';
import { groupInstances, recordKeyOf, resolveTarget, selectInstanceEntry, selectService, selectServiceRows, selectStatusJson, summaryState } from '../views/index.ts';
import type { ServiceState, State } from '../state/index.ts';
import type { CliContext } from './context.ts';
import { UsageError } from './errors.ts';
import { serviceDetailLines } from './format.ts';
import type { Point } from './history.ts';
import { liveStateSource } from './live-api.ts';
import type { StreamState } from './status-stream.ts';
import { findTarget } from './target.ts';
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
  const point = flags.at === undefined ? undefined : await parseAt(flags.at);
  // The API keeps the state as it is now; a past point and the PATH a start searched are in the stream only.
  const needsStream = point !== undefined || (id !== undefined && flags.verbose === true);
  await using source = await readState(ctx, flags.file, point, needsStream);
  const { state } = source;
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
    if (detail !== null) for (const line of serviceDetailLines(detail, logFileOf(join(source.dataDir, 'logs'), detail.id))) term.out(line);
    if (flags.verbose && source.searchPathLines) for (const line of await source.searchPathLines(detail?.service ?? id, state.seq)) term.out(line);
    return 0;
  }
  if (Object.keys(state.services).length === 0) {
    term.out('no services registered');
    return 0;
  }
  for (const line of renderRows(selectServiceRows(state, now))) term.out(line);
  return 0;
}

// history.ts reads the stream, so it loads with the NATS client, which --at needs anyway.
async function parseAt(value: string): Promise<Point> {
  const history = await import('./history.ts');
  return history.parsePoint('--at', value, Date.now());
}

type Source = Pick<StreamState, 'state' | 'dataDir'> & Partial<Pick<StreamState, 'searchPathLines'>> & AsyncDisposable;

// The node's API when it answers and the stream is not needed; the stream otherwise.
async function readState(ctx: CliContext, file: string | undefined, point: Point | undefined, needsStream: boolean): Promise<Source> {
  const found = needsStream ? { kind: 'stream' as const, target: await findTarget(ctx, file) } : await liveStateSource(ctx, file);
  if (found.kind === 'api') return { state: found.state, dataDir: found.dataDir, [Symbol.asyncDispose]: async () => {} };
  return (await import('./status-stream.ts')).openStreamState(found.target, point);
}

/** Flags of `nestor list`. */
export interface ListFlags {
  file?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Lists the registered services: what they are rather than how they run. */
export async function runList(flags: ListFlags, ctx: CliContext, term: Terminal): Promise<number> {
  await using source = await readState(ctx, flags.file, undefined, false);
  const { state } = source;
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
