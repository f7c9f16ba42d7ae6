// `nestor events [-f FILE] [--since SEQ|TIME] [--type T] [--service ID] [--follow] [--json]`: the
// stored history, one event per line; --json prints each envelope plus its "seq" (the format
// `nestor replay` and the harness's captureLog use), --follow keeps streaming new events. With the
// stack down, the history its file store kept is read (stored-history.ts).
import { followEvents, readEvents } from '../bus/index.ts';
import type { BusReader, ReadOptions, ReadResult } from '../bus/index.ts';
import { EVENT_TYPES, emptyDecodeStats, isEventOfService, isEventType, serviceFilter } from '../events/index.ts';
import type { EventType, NestorEvent, Stored } from '../events/index.ts';
import { closedSignal, connectInstance, hasProject } from './connect.ts';
import { followSignal } from './context.ts';
import type { CliContext } from './context.ts';
import { NotRunningError, UsageError } from './errors.ts';
import { eventLine } from './format.ts';
import { isAtOrBefore, parsePoint } from './history.ts';
import { openStoredHistory } from './stored-history.ts';
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
  await using source = await openSource(ctx, flags.file);
  const opts: ReadOptions = { fromSeq: point?.kind === 'seq' ? Math.max(1, point.seq) : 1, stats: emptyDecodeStats() };
  const filter = subjectFilter(type, flags.service);
  if (filter !== undefined) opts.filter = filter;
  const afterTime = point?.kind === 'time' ? point.ms : null;
  const print = (event: Stored<NestorEvent>): void => {
    if (afterTime !== null && isAtOrBefore(event.timestamp, afterTime - 1)) return;
    if (flags.service !== undefined && !isEventOfService(event, flags.service)) return;
    term.out(flags.json ? JSON.stringify(event) : eventLine(event));
  };
  let skipped = 0;
  const handle = (r: ReadResult): void => {
    if (r.ok) return print(r.event);
    skipped++;
    term.error(`skipped message #${r.seq} on ${r.subject} (${r.reason}): ${r.detail}`);
  };
  if (source.stored) {
    for await (const r of readEvents(source.bus, { ...opts, signal: source.interrupted })) handle(r);
    if (flags.follow) term.info(`${source.why}: this is the stored history, and no new events will come; start it with \`nestor up\` to follow them`);
  } else if (flags.follow) {
    const signal = AbortSignal.any([followSignal(ctx), closedSignal(source)]);
    for await (const r of followEvents(source.bus, { ...opts, signal })) handle(r);
  } else {
    for await (const r of readEvents(source.bus, opts)) handle(r);
  }
  if (skipped > 0) term.info(`${skipped} message(s) skipped (not valid events of this version)`);
  return 0;
}

type Source = AsyncDisposable & { bus: BusReader; close(): Promise<void> } & (
    | { stored: false }
    | { stored: true; why: string; interrupted: AbortSignal }
  );

// The running instance; with none (and a project to look in), the history it stored. NESTOR_URL
// names a bus that must answer: there is no stored history to fall back on there.
async function openSource(ctx: CliContext, file: string | undefined): Promise<Source> {
  try {
    return { ...(await connectInstance(ctx, file)), stored: false };
  } catch (err) {
    if (!(err instanceof NotRunningError) || ctx.env.NESTOR_URL || !hasProject(ctx, file)) throw err;
    // Until the temporary server is stopped, Ctrl-C or SIGTERM must end the reading, not the
    // process: the server runs in its own process group and would outlive it.
    const interrupt = scopedInterrupt(ctx);
    try {
      const history = await openStoredHistory(ctx, file, err);
      const close = async (): Promise<void> => {
        try {
          await history.close();
        } finally {
          interrupt.dispose();
        }
      };
      const why = err.message.replace(/; start it with .*$/, '');
      return { bus: history.bus, close, [Symbol.asyncDispose]: close, stored: true, why, interrupted: interrupt.signal };
    } catch (openErr) {
      interrupt.dispose();
      throw openErr;
    }
  }
}

function scopedInterrupt(ctx: CliContext): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  if (ctx.signal !== undefined) return { signal: AbortSignal.any([ctx.signal, ac.signal]), dispose: () => {} };
  const stop = (): void => ac.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const dispose = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
  return { signal: ac.signal, dispose };
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
