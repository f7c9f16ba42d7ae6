// GET /api/v1/events: the event stream as server-sent events. Each event's `id` is its
// JetStream sequence, so a client that reconnects with Last-Event-ID (or `?since=`) gets
// exactly the events after it: the stored history up to the live state's cursor is read from
// the stream, while newer events from the live state wait in the client's bounded queue; both are
// written in sequence order and anything at or below the last id sent is skipped, so the
// client sees each event once. A client whose queue overflows is dropped and counted rather
// than let it hold memory or slow the node; it resumes by reconnecting.
//
// Frames: unnamed events carry one stored event (envelope + seq) as JSON; `event: gap` says
// events before the stream's first sequence aged out; `event: reset` says the cursor was ahead
// of the stream (a recreated stream), so the history starts again from its beginning.
import { readEvents } from '../bus/index.ts';
import { isEventOfService, serviceFilter, typeFilter } from '../events/index.ts';
import type { EventType, NestorEvent, Stored } from '../events/index.ts';
import type { ApiContext, RouteRequest } from './context.ts';
import { HttpError } from './errors.ts';
import type { LiveEvent } from './live-state.ts';
import { eventsQuerySchema } from './schemas.ts';
import { sseEvent } from './sse.ts';

/** Which events a client asked for. */
export interface EventFilter {
  services: string[] | null;
  types: EventType[] | null;
}

/** True when an event passes the filter. */
export function matchesFilter(f: EventFilter, e: Stored<NestorEvent>): boolean {
  if (f.types !== null && !f.types.includes(e.type)) return false;
  return f.services === null || f.services.some((s) => isEventOfService(e, s));
}

/** The one subject that narrows a history read, when the filter allows one (server 2.9 takes one). */
function subjectFor(f: EventFilter): string | undefined {
  if (f.services?.length === 1 && f.types === null) return serviceFilter(f.services[0] as string);
  if (f.types?.length === 1 && f.services === null) return typeFilter(f.types[0] as EventType);
  return undefined;
}

/** The SSE frame of a live event, built and encoded once, shared by every client. */
export function eventFrame(item: LiveEvent): Buffer {
  return (item.frame ??= Buffer.from(sseEvent({ id: item.event.seq, data: item.json })));
}

/** Handles GET /api/v1/events. */
export async function handleEvents({ req, res, url }: RouteRequest, ctx: ApiContext): Promise<void> {
  const parsed = eventsQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) throw new HttpError(400, 'bad-request', parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
  const header = req.headers['last-event-id'];
  const lastId = typeof header === 'string' && header.trim() !== '' ? Number(header.trim()) : undefined;
  if (lastId !== undefined && (!Number.isInteger(lastId) || lastId < 0)) throw new HttpError(400, 'bad-request', 'Last-Event-ID must be a stream sequence (an integer >= 0)');
  const filter: EventFilter = { services: parsed.data.service ?? null, types: parsed.data.type ?? null };

  const conn = ctx.openStream(req, res, 'events');
  const live = ctx.live.cursor;
  let cursor = lastId ?? parsed.data.since ?? live;
  let lastSent = cursor;
  let replaying = true;
  const pending: LiveEvent[] = [];
  const limit = 10_000;
  const unsubscribe = ctx.live.subscribe((item) => {
    if (!matchesFilter(filter, item.event)) return;
    if (replaying) {
      pending.push(item);
      if (pending.length > limit) conn.drop('too many live events while the history was being sent');
    } else if (item.event.seq > lastSent) {
      lastSent = item.event.seq;
      conn.send(eventFrame(item));
    }
  });
  const abort = new AbortController();
  void conn.done.then(() => {
    unsubscribe();
    abort.abort();
  });
  try {
    // A stream that starts live still tells the client where it starts (an id-only frame sets
    // EventSource's lastEventId without dispatching), so a reconnect resumes without a gap.
    if (lastId === undefined && parsed.data.since === undefined) conn.send(`id: ${live}\n\n`);
    if (cursor !== live) {
      const { firstSeq, lastSeq } = await ctx.bus.streamBounds();
      if (cursor > lastSeq) {
        conn.send(sseEvent({ event: 'reset', data: JSON.stringify({ cursor, lastSeq }) }));
        cursor = lastSent = 0;
      }
      if (cursor + 1 < firstSeq) {
        conn.send(sseEvent({ event: 'gap', data: JSON.stringify({ from: cursor + 1, to: firstSeq - 1 }) }));
      }
      if (cursor < live) {
        for await (const r of readEvents(ctx.bus, { fromSeq: cursor + 1, until: live, filter: subjectFor(filter), signal: abort.signal })) {
          if (!r.ok || r.event.seq <= lastSent || !matchesFilter(filter, r.event)) continue;
          lastSent = r.event.seq;
          if (!conn.send(sseEvent({ id: r.event.seq, data: JSON.stringify(r.event) }))) break;
          if (conn.blocked && !(await conn.writable())) break;
        }
      }
    }
  } finally {
    // From here on the live state writes straight to the client; first the events that waited.
    replaying = false;
    for (const item of pending.splice(0)) {
      if (item.event.seq <= lastSent) continue;
      lastSent = item.event.seq;
      if (!conn.send(eventFrame(item))) break;
    }
  }
  await conn.done;
}
