// Points in the event history as users write them (`--at 42`, `--since 2025-03-14T09:30:00Z`,
// `--since 10m`) and the state of the stream at such a point: the stream is reduced up to that
// sequence or that time (the envelope's timestamp), from a snapshot that precedes the point
// when there is one.
import { loadSnapshot, readEvents, stateAt } from '../bus/index.ts';
import type { BusReader } from '../bus/index.ts';
import { parseDuration } from '../spec/index.ts';
import { emptyState, reduce } from '../state/index.ts';
import type { State } from '../state/index.ts';
import { UsageError } from './errors.ts';

/** A stream sequence or a moment. */
export type Point = { kind: 'seq'; seq: number } | { kind: 'time'; ms: number; iso: string };

const RELATIVE = /^\d+(\.\d+)?(ms|s|m|h|d)$/;

/** Parses `SEQ` (a stream sequence), an RFC 3339 time, or an age such as `10m` (before `nowMs`). */
export function parsePoint(flag: string, value: string, nowMs: number): Point {
  const v = value.trim();
  if (/^\d+$/.test(v)) return { kind: 'seq', seq: Number(v) };
  if (RELATIVE.test(v)) {
    const ms = nowMs - (parseDuration(v) ?? 0);
    return { kind: 'time', ms, iso: new Date(ms).toISOString() };
  }
  const ms = /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)}: expected a stream sequence (42), an RFC 3339 time (2025-03-14T09:30:00Z) or an age (90s, 10m, 2h)`,
    );
  }
  return { kind: 'time', ms, iso: new Date(ms).toISOString() };
}

/** True when an event with this timestamp happened at or before `point` (a time point). */
export function isAtOrBefore(timestamp: string, ms: number): boolean {
  const t = Date.parse(timestamp);
  return !Number.isNaN(t) && t <= ms;
}

/**
 * The state of the stream at `point` (everything, without one): from the newest usable snapshot
 * that includes nothing after the point, then the events after it up to the point.
 */
export async function stateAtPoint(bus: BusReader, point?: Point): Promise<State> {
  if (point === undefined) return stateAt(bus);
  if (point.kind === 'seq') return point.seq === 0 ? emptyState() : stateAt(bus, { until: point.seq });
  const snap = await loadSnapshot(bus, { bounds: await bus.streamBounds(), atOrBeforeMs: point.ms });
  // Reading stops at the first event stamped after the point: timestamps grow along the stream
  // (nodes sharing one stream are assumed to have synchronised clocks).
  const ac = new AbortController();
  let state = snap?.state ?? emptyState();
  for await (const item of readEvents(bus, { fromSeq: state.seq + 1, signal: ac.signal })) {
    if (!item.ok) continue;
    if (!isAtOrBefore(item.event.timestamp, point.ms)) {
      ac.abort();
      break;
    }
    state = reduce(state, item.event);
  }
  return state;
}
