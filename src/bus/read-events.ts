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
import { countDecoded, emptyDecodeStats } from '../events/index.ts';
import type { DecodeStats } from '../events/index.ts';
import { handlesOf } from './handles.ts';
import type { NatsHandles } from './handles.ts';
import { toReadResult } from './reader.ts';
import type { BusReader, ReadResult } from './reader.ts';

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
export async function* readEvents(bus: BusReader, opts: HistoryOptions = {}): AsyncGenerator<ReadResult, void, undefined> {
  const until = opts.until ?? (await bus.lastSeq());
  if ((opts.fromSeq ?? 1) > until) return;
  yield* iterate(bus, opts, until);
}

/** Reads the history from `fromSeq`, then keeps streaming new events until aborted. */
export async function* followEvents(bus: BusReader, opts: ReadOptions = {}): AsyncGenerator<ReadResult, void, undefined> {
  yield* iterate(bus, opts, null);
}

async function* iterate(bus: BusReader, opts: ReadOptions, until: number | null): AsyncGenerator<ReadResult, void, undefined> {
  if (opts.signal?.aborted) return;
  const stats = opts.stats ?? emptyDecodeStats();
  const consumerOpts: Partial<OrderedConsumerOptions> = { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: opts.fromSeq ?? 1 };
  if (opts.filter !== undefined) consumerOpts.filter_subjects = opts.filter;
  const h = handlesOf(bus);
  const consumer = await h.js.consumers.get(bus.streamName, consumerOpts);
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
      const result = toReadResult(msg.data, seq, msg.subject);
      countDecoded(stats, result);
      yield result;
      // pending counts matching messages after this one: zero means the history is read.
      if (until !== null && (seq >= until || info.pending === 0)) return;
    }
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    stop();
    await release(h, consumer);
  }
}

// Ordered consumers expire on their own after a few minutes of inactivity; deleting them
// right away keeps the stream's consumer list short while views come and go.
async function release(h: NatsHandles, consumer: Consumer): Promise<void> {
  if (h.nc.isClosed() || h.nc.isDraining()) return;
  await consumer.delete().catch(() => false);
}
