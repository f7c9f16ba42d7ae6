// The state read from the event stream: the newest usable snapshot plus the history after it
// reduced (stateAt), then every new event applied as it arrives (followState), with the stream
// sequence as the cursor so no event is missed or applied twice. The CLI verbs and the API's LiveState use it, so they all see the
// same state. It sits beside the event readers because it is their one combination; the
// reducer it calls is the pure src/state.
import type { BusReader, StreamBounds } from './reader.ts';
import { loadSnapshot } from './snapshots.ts';
import { followEvents, readEvents } from './read-events.ts';
import type { DecodeStats, NestorEvent, Stored } from '../events/index.ts';
import { emptyDecodeStats } from '../events/index.ts';
import { emptyState, reduce } from '../state/index.ts';
import type { State } from '../state/index.ts';

/** Options of followState. */
export interface FollowStateOptions {
  /** First sequence to apply (1: the whole history). */
  fromSeq?: number;
  /** Start from this state instead of an empty one (a snapshot). */
  initial?: State;
  signal?: AbortSignal;
  stats?: DecodeStats;
  /** Called after each event is applied, with the state it produced. */
  onEvent?(event: Stored<NestorEvent>, state: State, previous: State): void;
}

/** Applies events from the stream until aborted; resolves with the last state. */
export async function followState(bus: BusReader, opts: FollowStateOptions = {}): Promise<State> {
  let state = opts.initial ?? emptyState();
  const stats = opts.stats ?? emptyDecodeStats();
  for await (const item of followEvents(bus, { fromSeq: opts.fromSeq ?? state.seq + 1, signal: opts.signal, stats })) {
    if (!item.ok) continue;
    const previous = state;
    state = reduce(state, item.event);
    opts.onEvent?.(item.event, state, previous);
  }
  return state;
}

/** Options of {@link stateAt}. */
export interface StateAtOptions {
  /** Last sequence to include (default: the last stored event). */
  until?: number;
  /** First sequence to apply; giving it (or `initial`) turns the snapshot off. */
  fromSeq?: number;
  initial?: State;
  stats?: DecodeStats;
  /** Start from the newest usable snapshot (default true unless `fromSeq` or `initial` is given). */
  snapshot?: boolean;
  /** Bounds already read by the caller (saves one request). */
  bounds?: StreamBounds;
}

/**
 * The state as of `until` (default: the last stored event): the newest usable snapshot at or
 * before it, then only the events after the snapshot. Without a usable snapshot (none, another
 * reducer version, a stream made again) every stored event is reduced.
 */
export async function stateAt(bus: BusReader, opts: StateAtOptions = {}): Promise<State> {
  let state = opts.initial ?? emptyState();
  let until = opts.until;
  if (opts.initial === undefined && opts.fromSeq === undefined && opts.snapshot !== false) {
    const bounds = opts.bounds ?? (await bus.streamBounds());
    until ??= bounds.lastSeq;
    const snap = await loadSnapshot(bus, { bounds, until });
    if (snap !== null) state = snap.state;
  }
  for await (const item of readEvents(bus, { fromSeq: opts.fromSeq ?? state.seq + 1, until, stats: opts.stats })) {
    if (item.ok) state = reduce(state, item.event);
  }
  return state;
}
