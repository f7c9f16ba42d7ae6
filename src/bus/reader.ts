// The read side of the bus: what views, the CLI and the API need from the event stream and the
// connection under it, in terms of events and sequences, so that no NATS type leaves this
// module. The writer (connect.ts) adds publishing on top of the same object.
import { DeliverPolicy } from '@nats-io/jetstream';
import { decode } from '../events/index.ts';
import type { NestorEvent, SkipReason, Stored } from '../events/index.ts';
import { attachHandles } from './handles.ts';
import type { NatsHandles } from './handles.ts';

/** One message read from the stream: an event with its seq, or why it was skipped. */
export type ReadResult =
  | { ok: true; event: Stored<NestorEvent> }
  | { ok: false; seq: number; subject: string; reason: SkipReason; detail: string };

/** How the connection to the broker is doing, from its status notifications. */
export type BusLink = 'connected' | 'reconnecting' | 'disconnected';

/** The first and last sequence the event stream holds. */
export interface StreamBounds {
  firstSeq: number;
  lastSeq: number;
  /** When the stream was created: a stream made again under the same name is another history. */
  created: string;
}

/** A read-only view of the event stream; readEvents/followEvents consume it. */
export interface BusReader extends AsyncDisposable {
  readonly streamName: string;
  /** URL of the server this connection uses. */
  readonly natsUrl: string;
  /** Sequence of the last stored event (0 while the stream is empty). */
  lastSeq(): Promise<number>;
  /** First and last stored sequence (retention moves the first). */
  streamBounds(): Promise<StreamBounds>;
  /** The last message stored on `subject` (wildcards allowed), or null when there is none. */
  lastEvent(subject: string): Promise<ReadResult | null>;
  /** True once the connection is draining or closed: nothing more will arrive. */
  isClosed(): boolean;
  /** Resolves when the connection has closed for good. */
  closed(): Promise<void>;
  /** Changes of the link to the broker, until the connection closes. */
  links(): AsyncIterable<BusLink>;
  /** Drains the connection; idempotent. */
  close(): Promise<void>;
}

/** The result of decoding one stored message; `subject` may be given as a function, read only for a skip. */
export function toReadResult(data: Uint8Array, seq: number, subject: string | (() => string)): ReadResult {
  const decoded = decode(data);
  if (!decoded.ok) return { ok: false, seq, subject: typeof subject === 'string' ? subject : subject(), reason: decoded.reason, detail: decoded.detail };
  // decode() returns a fresh object nobody else holds, so the sequence is set on it rather
  // than on a copy: replay decodes every stored event and copies add up.
  const stored = decoded.event as Stored<NestorEvent>;
  stored.seq = seq;
  return { ok: true, event: stored };
}

/** A reader over `h`; `close` is how its owner ends the connection. */
export function makeReader(h: NatsHandles, streamName: string, natsUrl: string, close: () => Promise<void>): BusReader {
  const bounds = async (): Promise<StreamBounds> => {
    const { state, created } = await h.jsm.streams.info(streamName);
    return { firstSeq: state.first_seq, lastSeq: state.last_seq, created };
  };
  const reader: BusReader = {
    streamName,
    natsUrl: natsUrl.includes('://') ? natsUrl : `nats://${natsUrl}`,
    lastSeq: async () => (await bounds()).lastSeq,
    streamBounds: bounds,
    lastEvent: (subject) => lastEvent(h, streamName, subject),
    isClosed: () => h.nc.isClosed() || h.nc.isDraining(),
    closed: () => h.nc.closed().then(() => undefined),
    links: () => links(h),
    close,
    [Symbol.asyncDispose]: close,
  };
  return attachHandles(reader, h);
}

async function lastEvent(h: NatsHandles, stream: string, subject: string): Promise<ReadResult | null> {
  // A direct get is one request, but it takes a literal subject only; a filter with wildcards
  // needs a short-lived consumer that starts at the last match.
  if (!/[*>]/.test(subject)) {
    const msg = await h.jsm.streams.getMessage(stream, { last_by_subj: subject });
    return msg === null ? null : toReadResult(msg.data, msg.seq, msg.subject);
  }
  const consumer = await h.js.consumers.get(stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.Last });
  try {
    if ((await consumer.info(true)).num_pending === 0) return null;
    const msg = await consumer.next({ expires: 3_000 });
    return msg === null ? null : toReadResult(msg.data, msg.seq, msg.subject);
  } finally {
    await consumer.delete().catch(() => false);
  }
}

async function* links(h: NatsHandles): AsyncGenerator<BusLink, void, undefined> {
  for await (const s of h.nc.status()) {
    const link: BusLink | null =
      s.type === 'disconnect' ? 'disconnected' : s.type === 'reconnecting' ? 'reconnecting' : s.type === 'reconnect' ? 'connected' : null;
    if (link !== null) yield link;
  }
}
