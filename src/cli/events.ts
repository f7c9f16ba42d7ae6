// `nestor events [--since SEQ|TIME] [--type T] [--service ID] [--follow] [--json]`: the stored
// history, one event per line; --json prints each envelope plus its "seq" (the format `nestor
// replay` and the harness's captureLog use), --follow keeps streaming new events.
import { followEvents, readEvents } from '../bus/index.ts';
import type { ReadOptions, ReadResult } from '../bus/index.ts';
import { EVENT_TYPES, emptyDecodeStats, isEventType, serviceFilter } from '../events/index.ts';
import type { EventType, NestorEvent, Stored } from '../events/index.ts';
import { closedSignal, connectInstance } from './connect.ts';
import type { Connection } from './connect.ts';
import { followSignal } from './context.ts';
import type { CliContext } from './context.ts';
import { UsageError } from './errors.ts';
import { eventLine } from './format.ts';
import { isAtOrBefore, parsePoint } from './history.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor events`. */
export interface EventsFlags {
  file?: string;
  json?: boolean;
  since?: string;
  type?: string;
  service?: string;
  follow?: boolean;
}

const SERVICE_TOKEN = /^[A-Za-z0-9_-]+$/;

/** Prints the event history (and new events with --follow). */
export async function runEvents(flags: EventsFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const point = flags.since === undefined ? undefined : parsePoint('--since', flags.since, Date.now());
  const type = flags.type === undefined ? undefined : eventType(flags.type);
  if (flags.service !== undefined && !SERVICE_TOKEN.test(flags.service)) {
    throw new UsageError(`--service ${JSON.stringify(flags.service)}: expected a service id (letters, digits, "-" and "_")`);
  }
  if (type !== undefined && flags.service !== undefined && !/^orchestrator\.(service|command)\./.test(type)) {
    throw new UsageError(`--type ${type} is not about a service, so it cannot be combined with --service`);
  }
  await using conn = await connectInstance(ctx, flags.file);
  const opts: ReadOptions = { fromSeq: point?.kind === 'seq' ? Math.max(1, point.seq) : 1, stats: emptyDecodeStats() };
  const filter = subjectFilter(type, flags.service);
  if (filter !== undefined) opts.filter = filter;
  const afterTime = point?.kind === 'time' ? point.ms : null;
  const print = (event: Stored<NestorEvent>): void => {
    if (afterTime !== null && isAtOrBefore(event.timestamp, afterTime - 1)) return;
    term.out(flags.json ? JSON.stringify(event) : eventLine(event));
  };
  let skipped = 0;
  const handle = (r: ReadResult): void => {
    if (r.ok) return print(r.event);
    skipped++;
    term.error(`skipped message #${r.seq} on ${r.subject} (${r.reason}): ${r.detail}`);
  };
  if (flags.follow) {
    await follow(conn, opts, ctx, handle);
  } else {
    for await (const r of readEvents(conn.bus, opts)) handle(r);
  }
  if (skipped > 0) term.info(`${skipped} message(s) skipped (not valid events of this version)`);
  return 0;
}

async function follow(conn: Connection, opts: ReadOptions, ctx: CliContext, handle: (r: ReadResult) => void): Promise<void> {
  const signal = AbortSignal.any([followSignal(ctx), closedSignal(conn)]);
  for await (const r of followEvents(conn.bus, { ...opts, signal })) handle(r);
}

function eventType(value: string): EventType {
  const full = value.startsWith('orchestrator.') ? value : `orchestrator.${value}`;
  if (isEventType(full)) return full;
  const near = EVENT_TYPES.filter((t) => t.includes(value)).slice(0, 4);
  throw new UsageError(`--type ${JSON.stringify(value)} is not an event type${near.length ? `; did you mean ${near.join(', ')}?` : '; see docs/events.md'}`);
}

// nats-server 2.9 takes one filter subject per consumer: the service sits at a fixed token, so
// one subject expresses both filters at once.
function subjectFilter(type: EventType | undefined, service: string | undefined): string | undefined {
  if (type === undefined) return service === undefined ? undefined : serviceFilter(service);
  const [root, family, ...tail] = type.split('.');
  const scoped = family === 'service' || family === 'command';
  return [root, family, '*', ...(scoped ? [service ?? '*'] : []), ...tail].join('.');
}
