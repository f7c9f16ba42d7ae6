// The event feed both UIs show: recent events as rows with a time, a subject, the shared event
// text and a tone, kept in a bounded list so a long-running UI does not grow without end.
import type { NestorEvent, Stored } from '../events/index.ts';
import { describeEvent, eventSubject, shortType } from './event-text.ts';
import type { Tone } from './tone.ts';

/** One line of the event feed. */
export interface FeedRow {
  seq: number;
  /** HH:MM:SS of the event's timestamp (UTC, as stored). */
  time: string;
  type: string;
  /** The type without its `orchestrator.` prefix. */
  short: string;
  /** The service, or `node <id>` for node events. */
  subject: string;
  summary: string;
  tone: Tone;
  /** A log metadata event (`service.log`): feeds hide these unless asked. */
  log: boolean;
}

/** What a feed shows besides the lifecycle: `logs` adds the `service.log` metadata events. */
export interface FeedFilter {
  logs: boolean;
}

/** The filter both UIs start with: log metadata events would bury everything else. */
export const DEFAULT_FEED_FILTER: FeedFilter = { logs: false };

/** Whether a feed with this filter shows the event. */
export function feedShows(e: NestorEvent, filter: FeedFilter): boolean {
  return filter.logs || e.type !== 'orchestrator.service.log';
}

/** Feed row of a stored event. */
export function selectFeedRow(e: Stored<NestorEvent>): FeedRow {
  return {
    seq: e.seq,
    time: /T(\d\d:\d\d:\d\d)/.exec(e.timestamp)?.[1] ?? e.timestamp,
    type: e.type,
    short: shortType(e.type),
    subject: eventSubject(e),
    summary: describeEvent(e),
    tone: feedTone(e),
    log: e.type === 'orchestrator.service.log',
  };
}

/** Appends an event to a bounded list of recent events (newest last); returns a new list. */
export function appendRecent(recent: readonly Stored<NestorEvent>[], e: Stored<NestorEvent>, limit: number): Stored<NestorEvent>[] {
  const out = recent.length >= limit ? recent.slice(recent.length - limit + 1) : recent.slice();
  out.push(e);
  return out;
}

/** The last `n` feed rows about one service that the filter shows, newest first. */
export function recentFor(recent: readonly Stored<NestorEvent>[], service: string, n: number, filter: FeedFilter = DEFAULT_FEED_FILTER): FeedRow[] {
  return lastRows(recent, n, (e) => isAbout(e, service) && feedShows(e, filter));
}

/** True when an event is about `name`: a service id (any of its instances) or `<service>@<n>` (that one). */
export function isAbout(e: Pick<NestorEvent, 'data'>, name: string): boolean {
  const d = e.data as { service?: unknown; instance?: unknown };
  const at = name.indexOf('@');
  if (at < 0) return d.service === name;
  return d.service === name.slice(0, at) && String(d.instance ?? 1) === name.slice(at + 1);
}

/** The last `n` feed rows the filter shows, newest first. */
export function selectFeed(recent: readonly Stored<NestorEvent>[], n: number, filter: FeedFilter = DEFAULT_FEED_FILTER): FeedRow[] {
  return lastRows(recent, n, (e) => feedShows(e, filter));
}

/**
 * The rows of both filters in one list, newest first: the last `n` events of any type and the
 * last `n` without log events. A page that toggles the filter in the browser hides the `log`
 * rows, and still has `n` rows to show either way.
 */
export function selectFeedEither(recent: readonly Stored<NestorEvent>[], n: number, only?: (e: NestorEvent) => boolean): FeedRow[] {
  const all = lastRows(recent, n, (e) => only === undefined || only(e));
  const quiet = lastRows(recent, n, (e) => (only === undefined || only(e)) && feedShows(e, DEFAULT_FEED_FILTER));
  const bySeq = new Map<number, FeedRow>();
  for (const r of [...all, ...quiet]) bySeq.set(r.seq, r);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq);
}

function lastRows(recent: readonly Stored<NestorEvent>[], n: number, keep: (e: Stored<NestorEvent>) => boolean): FeedRow[] {
  const rows: FeedRow[] = [];
  for (let i = recent.length - 1; i >= 0 && rows.length < n; i--) {
    const e = recent[i] as Stored<NestorEvent>;
    if (keep(e)) rows.push(selectFeedRow(e));
  }
  return rows;
}

function feedTone(e: NestorEvent): Tone {
  switch (e.type) {
    case 'orchestrator.service.ready':
    case 'orchestrator.node.up':
    case 'orchestrator.caddy.started':
      return 'ok';
    case 'orchestrator.caddy.exited':
      return 'error';
    case 'orchestrator.service.start.failed':
    case 'orchestrator.service.retries.exhausted':
    case 'orchestrator.service.lost':
    case 'orchestrator.service.port.conflict':
    case 'orchestrator.service.register.rejected':
    case 'orchestrator.project.rejected':
      return 'error';
    case 'orchestrator.service.exit':
      return e.data.expected ? 'muted' : 'error';
    case 'orchestrator.service.health':
      return e.data.status === 'passing' ? 'ok' : 'warn';
    case 'orchestrator.service.restart.scheduled':
    case 'orchestrator.service.schedule.skipped':
    case 'orchestrator.service.memory.exceeded':
    case 'orchestrator.service.stop':
    case 'orchestrator.node.down':
    case 'orchestrator.service.unplaced':
    case 'orchestrator.node.draining':
      return 'warn';
    case 'orchestrator.node.broker':
      return e.data.status === 'connected' ? 'ok' : 'warn';
    case 'orchestrator.service.register':
    case 'orchestrator.service.placed':
    case 'orchestrator.service.pending':
    case 'orchestrator.service.starting':
    case 'orchestrator.service.ensure':
    case 'orchestrator.service.port.reclaimed':
    case 'orchestrator.service.start':
    case 'orchestrator.service.disabled':
    case 'orchestrator.service.retired':
    case 'orchestrator.service.log':
    case 'orchestrator.service.schedule.next':
    case 'orchestrator.service.schedule.run':
    case 'orchestrator.service.watch.changed':
    case 'orchestrator.caddy.config.applied':
    case 'orchestrator.caddy.stopped':
    case 'orchestrator.caddy.cert.stored':
    case 'orchestrator.caddy.cert.restored':
    case 'orchestrator.command.enable':
    case 'orchestrator.command.disable':
    case 'orchestrator.command.start':
    case 'orchestrator.command.stop':
    case 'orchestrator.command.restart':
    case 'orchestrator.command.forget':
    case 'orchestrator.snapshot.saved':
      return 'muted';
    case 'orchestrator.project.applied':
      return 'ok';
    case 'orchestrator.run.created':
    case 'orchestrator.run.attached':
    case 'orchestrator.run.command.sent':
    case 'orchestrator.run.command.delivered':
    case 'orchestrator.run.command.acked':
    case 'orchestrator.run.heartbeat':
      return 'muted';
    case 'orchestrator.run.state':
      return e.data.to === 'failed' || e.data.to === 'terminated' ? 'error' : e.data.to === 'succeeded' ? 'ok' : 'muted';
    case 'orchestrator.run.health':
      return e.data.to === 'healthy' ? 'ok' : e.data.to === 'lost' ? 'error' : 'warn';
  }
}
