// Reading the event stream through an ordered consumer (no server-side state to clean up, no
// acks, gaps repaired by the client). Decoding never throws into the loop: a message that is
// not a valid event of this version is yielded as a skip and counted, so one bad message can
// neither stop a reader nor go unnoticed.
//
// Views combine the two readers with the stream sequence as the cursor: read the history with
// readEvents, then followEvents from the last seq + 1, so every event is seen exactly once with
// no gap and no lock (docs/events.md, *Snapshots and replay*).
import { DeliverPolicy } from '@nats-io/jetstream';
import type { Consumer, ConsumerMessages, OrderedConsumerOptions } from '@nats-io/jetstream';
import { countDecoded, decode, emptyDecodeStats } from '../events/index.ts';
import type { DecodeStats, NestorEvent, SkipReason, Stored } from '../events/index.ts';
import type { Bus } from './connect.ts';

/** One message read from the stream: an event with its seq, or why it was skipped. */
export type ReadResult =
  | { ok: true; event: Stored<NestorEvent> }
  | { ok: false; seq: number; subject: string; reason: SkipReason; detail: string };

/** Options shared by {@link readEvents} and {@link followEvents}. */
export interface ReadOptions {
  /** First stream sequence to read; 1 by default. */
  fromSeq?: number;
  /** One subject filter (see events' serviceFilter/nodeFilter/typeFilter). nats-server 2.9
   * has no multi-filter consumers, so this is a single subject. */
  filter?: string;
  /** Counters to add decoded and skipped messages to. */
  stats?: DecodeStats;
  /** Ends the iteration (also while waiting for a message). */
  signal?: AbortSignal;
}

/** Options of {@link readEvents}. */
export interface HistoryOptions extends ReadOptions {
  /** Last sequence to read; by default the stream's last sequence when reading starts. */
  until?: number;
}

/** Reads the stored history (from `fromSeq` to `until`) and ends. */
export async function* readEvents(bus: Bus, opts: HistoryOptions = {}): AsyncGenerator<ReadResult, void, undefined> {
  const until = opts.until ?? (await bus.jsm.streams.info(bus.streamName)).state.last_seq;
  if ((opts.fromSeq ?? 1) > until) return;
  yield* iterate(bus, opts, until);
}

/** Reads the history from `fromSeq`, then keeps streaming new events until aborted. */
export async function* followEvents(bus: Bus, opts: ReadOptions = {}): AsyncGenerator<ReadResult, void, undefined> {
  yield* iterate(bus, opts, null);
}

// decode() returns a fresh object nobody else holds, so the sequence is set on it rather than
// on a copy: replay decodes every stored event and copies add up.
function withSeq(event: NestorEvent, seq: number): Stored<NestorEvent> {
  const stored = event as Stored<NestorEvent>;
  stored.seq = seq;
  return stored;
}

async function* iterate(bus: Bus, opts: ReadOptions, until: number | null): AsyncGenerator<ReadResult, void, undefined> {
  if (opts.signal?.aborted) return;
  const stats = opts.stats ?? emptyDecodeStats();
  const consumerOpts: Partial<OrderedConsumerOptions> = { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: opts.fromSeq ?? 1 };
  if (opts.filter !== undefined) consumerOpts.filter_subjects = opts.filter;
  const consumer = await bus.js.consumers.get(bus.streamName, consumerOpts);
  let messages: ConsumerMessages | undefined;
  const stop = (): void => void messages?.stop();
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    // Nothing to read at all: consume() would wait for the next publish.
    if (until !== null && (await consumer.info(true)).num_pending === 0) return;
    messages = await consumer.consume({ max_messages: 1000 });
    if (opts.signal?.aborted) return;
    for await (const msg of messages) {
      // msg.seq and msg.info each parse the reply subject again: read it once.
      const info = msg.info;
      const seq = info.streamSequence;
      if (until !== null && seq > until) return;
      const decoded = decode(msg.data);
      countDecoded(stats, decoded);
      yield decoded.ok
        ? { ok: true, event: withSeq(decoded.event, seq) }
        : { ok: false, seq, subject: msg.subject, reason: decoded.reason, detail: decoded.detail };
      // pending counts matching messages after this one: zero means the history is read.
      if (until !== null && (seq >= until || info.pending === 0)) return;
    }
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    stop();
    await release(bus, consumer);
  }
}

// Ordered consumers expire on their own after a few minutes of inactivity; deleting them
// right away keeps the stream's consumer list short while views come and go.
async function release(bus: Bus, consumer: Consumer): Promise<void> {
  if (bus.nc.isClosed() || bus.nc.isDraining()) return;
  await consumer.delete().catch(() => false);
}
