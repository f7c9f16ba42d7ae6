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
import { isTimeout } from './publish.ts';
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

// Both return the one generator below rather than delegating to it (`yield*`): every event
// then passes through one async generator instead of two, which a full replay feels.

/** Reads the stored history (from `fromSeq` to `until`) and ends. */
export function readEvents(bus: BusReader, opts: HistoryOptions = {}): AsyncGenerator<ReadResult, void, undefined> {
  return iterate(bus, opts, opts.until ?? LAST);
}

/** Reads the history from `fromSeq`, then keeps streaming new events until aborted. */
export function followEvents(bus: BusReader, opts: ReadOptions = {}): AsyncGenerator<ReadResult, void, undefined> {
  return iterate(bus, opts, null);
}

/** `until` of a history read up to the stream's last sequence when reading starts. */
const LAST = Symbol('last');

async function* iterate(bus: BusReader, opts: ReadOptions, upTo: number | null | typeof LAST): AsyncGenerator<ReadResult, void, undefined> {
  const until = upTo === LAST ? await bus.lastSeq() : upTo;
  if (until !== null && (opts.fromSeq ?? 1) > until) return;
  const stats = opts.stats ?? emptyDecodeStats();
  const h = handlesOf(bus);
  // The stream sequence to read next: where a fresh consumer starts when the client's own one
  // has to be replaced (see abandonRecreated).
  let next = opts.fromSeq ?? 1;
  let openFailures = 0;
  for (;;) {
    if (opts.signal?.aborted) return;
    const consumerOpts: Partial<OrderedConsumerOptions> = { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: next };
    if (opts.filter !== undefined) consumerOpts.filter_subjects = opts.filter;
    let consumer: Consumer;
    try {
      consumer = await h.js.consumers.get(bus.streamName, consumerOpts);
    } catch (err) {
      // A cluster that lost a server may still place a new consumer on it (nats-server 2.9
      // picks among the stream's peers, offline ones included): its creation times out, and
      // another try lands elsewhere.
      if (!isTimeout(err) || ++openFailures > MAX_OPEN_FAILURES || opts.signal?.aborted) throw err;
      continue;
    }
    let messages: ConsumerMessages | undefined;
    let replaced = false;
    let opened = false;
    const stop = (): void => void messages?.stop();
    opts.signal?.addEventListener('abort', stop, { once: true });
    try {
      // Nothing to read at all: consume() would wait for the next publish.
      if (until !== null && (await consumer.info(true)).num_pending === 0) return;
      messages = await consumer.consume({ ...(until === null ? FOLLOW_PULL : HISTORY_PULL), expires: PULL_EXPIRES_MS });
      opened = true;
      abandonRecreated(messages, () => (replaced = true));
      if (opts.signal?.aborted) return;
      for await (const msg of messages) {
        // msg.seq and msg.info each parse the reply subject again: read it once.
        const info = msg.info;
        const seq = info.streamSequence;
        if (until !== null && seq > until) return;
        // The client decodes a message's subject from bytes when asked: only a skip needs it.
        const result = toReadResult(msg.data, seq, () => msg.subject);
        countDecoded(stats, result);
        next = seq + 1;
        yield result;
        // pending counts matching messages after this one: zero means the history is read.
        if (until !== null && (seq >= until || info.pending === 0)) return;
      }
    } catch (err) {
      // The same, when the consumer is created by its first request.
      if (opened || !isTimeout(err) || ++openFailures > MAX_OPEN_FAILURES || opts.signal?.aborted) throw err;
      replaced = true;
    } finally {
      opts.signal?.removeEventListener('abort', stop);
      stop();
      await release(h, consumer);
    }
    if (!replaced) return;
  }
}

// A pull's lifetime, and so (half of it) the idle heartbeat by which the client notices that
// its consumer is gone: an ordered consumer lives on one server, and when that server dies the
// follower hears nothing until two heartbeats are missed. At the client's default (30 s) a
// node's view of the cluster stood still for half a minute after a peer died; at 5 s it is
// noticed in about 5 s, for one pull request every 5 s per idle follower.
const PULL_EXPIRES_MS = 5_000;

// How many messages a pull asks for. The client pulls again once its outstanding count drops
// to the threshold (75% of the batch by default): at 1000 that was a pull request every 250
// messages, and a full replay spent a fifth of its CPU writing them to the socket. A history read
// asks for big batches (a pull every 8000 messages); a follower keeps small ones, since it
// mostly waits and whatever a pull brings in at once is buffered in the (long-lived) process.
const HISTORY_PULL = { max_messages: 10_000, threshold_messages: 2_000 };
const FOLLOW_PULL = { max_messages: 1_000 };

/** Consumer creations that may time out in a row before a read gives up. */
const MAX_OPEN_FAILURES = 5;

// When the server loses an ordered consumer (a broker restart: ordered consumers live in
// memory) the client creates a new one at its cursor, but keeps the old pull request's
// outstanding count: the new consumer is asked for only as many messages as the old one had
// delivered, and, the count staying above the refill threshold, nothing more is pulled until
// two idle heartbeats are missed (30 s at the default expiry). A follower then sits silent
// while the stream grows. So once the client has recreated its consumer we stop that one and
// open a fresh consumer at our own cursor, whose pull accounting starts clean.
//
// Missed heartbeats are handled the same way. The client's own answer to them is to ask for
// the consumer's info until the server says it is gone; a consumer that lived on a server that
// died is neither there nor gone (its assignment outlives the server), so that loop never ends
// and the follower stood still for as long as the server stayed down.
function abandonRecreated(messages: ConsumerMessages, onReplaced: () => void): void {
  void (async () => {
    for await (const s of messages.status()) {
      if (s.type !== 'ordered_consumer_recreated' && s.type !== 'heartbeats_missed') continue;
      onReplaced();
      // Messages the recreated consumer already delivered are still yielded before the
      // iteration ends; the cursor then starts the next consumer after them.
      messages.stop();
      return;
    }
  })();
}

// Ordered consumers expire on their own after a few minutes of inactivity; deleting them
// right away keeps the stream's consumer list short while views come and go.
async function release(h: NatsHandles, consumer: Consumer): Promise<void> {
  if (h.nc.isClosed() || h.nc.isDraining()) return;
  await consumer.delete().catch(() => false);
}
