// Snapshots of the reduced state in the snapshot bucket, so that a view restores one and reads
// only the stream's tail instead of its whole history.
//
// One key per stream and reducer version (`<stream>.v<REDUCER_VERSION>`): every node of a
// cluster reduces the same stream to the same state, so one newest snapshot serves them all,
// and a reader finds it with one direct get instead of listing keys. Writers never move it
// back: a write goes through only when it is newer than the stored one, as a compare-and-set
// on the entry's revision; a node that loses the race skips the round (another node has just
// saved). Nodes of different reducer versions write different keys, so a rolling upgrade never
// has the old reducer overwrite the new one's snapshot. The record also names the stream and
// its creation time: a stream deleted and made again is another history, and its snapshot is
// not used.
//
// A state larger than one message (the server's max_payload, 1 MiB by default; a thousand runs
// with their heartbeat history pass it) is stored in parts under `<key>.p<throughSeq>.<i>`,
// written before the head; the head at `<key>` then names them and goes through the same
// compare-and-set. A reader reads the head and then its parts; the parts of the snapshot a
// head replaced, or of a save that lost the race, are purged.
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { REDUCER_VERSION, restoreSnapshot } from '../state/index.ts';
import type { Snapshot, State } from '../state/index.ts';
import { handlesOf } from './handles.ts';
import type { NatsHandles } from './handles.ts';
import { isWrongLastSequence } from './leases.ts';
import type { BusReader, StreamBounds } from './reader.ts';
import { SNAPSHOT_BUCKET } from './streams.ts';

/** A snapshot as the bucket holds it: the pure Snapshot plus what tells whether it applies. */
export interface StoredSnapshot extends Snapshot {
  /** The event stream it was reduced from, and that stream's creation time. */
  stream: string;
  streamCreated: string;
  /** The node that saved it. */
  node: string;
  /** Timestamp of the event at throughSeq (null when unknown): lets `--since`-style points use it. */
  throughTimestamp: string | null;
  savedAt: string;
}

/** A usable snapshot read back: its restored state and where it came from. */
export interface LoadedSnapshot {
  state: State;
  throughSeq: number;
  node: string;
  throughTimestamp: string | null;
}

/** Which snapshot a reader may start from. */
export interface SnapshotLimit {
  /** The stream as it is now (from streamBounds). */
  bounds: StreamBounds;
  /** The snapshot must not include anything after this sequence (default: the stream's last). */
  until?: number;
  /** The snapshot's last event must be stamped at or before this time (epoch ms). */
  atOrBeforeMs?: number;
}

/** The outcome of a save: written, or skipped because the stored one is as new or a writer raced us. */
export type SaveOutcome = { saved: true; key: string; bytes: number } | { saved: false; key: string; reason: 'older' | 'raced' };

/** The bucket key of a stream's snapshots made by this reducer version. */
export function snapshotKey(stream: string, version: number = REDUCER_VERSION): string {
  return `${stream}.v${version}`;
}

/**
 * The newest usable snapshot of the reader's stream, or null: none saved, another reducer
 * version, another incarnation of the stream, or one past the limit. Failures to read it are
 * null too; the caller then replays the whole stream, which is always correct.
 */
export async function loadSnapshot(bus: BusReader, limit: SnapshotLimit): Promise<LoadedSnapshot | null> {
  const h = handlesOf(bus);
  let record: unknown;
  try {
    const head = await directGet(h, snapshotKey(bus.streamName));
    if (head === null) return null;
    record = JSON.parse(head);
    if (isPartsHead(record)) {
      const parts: string[] = [];
      for (let i = 0; i < record.parts; i++) {
        const part = await directGet(h, `${record.partKey}.${i}`);
        if (part === null) return null;
        parts.push(part);
      }
      record = JSON.parse(parts.join(''));
    }
  } catch {
    return null;
  }
  return usable(record, bus.streamName, limit);
}

/** The head of a snapshot stored in parts. */
interface PartsHead {
  parts: number;
  partKey: string;
  bytes: number;
  stream: string;
  streamCreated: string;
  throughSeq: number;
}

function isPartsHead(v: unknown): v is PartsHead {
  const r = v as Partial<PartsHead> | null;
  return typeof r === 'object' && r !== null && typeof r.parts === 'number' && typeof r.partKey === 'string';
}

// One key's value read straight from the bucket's stream (no watcher, one round trip); null when
// absent or deleted (a deleted or purged key leaves a marker without data).
async function directGet(h: NatsHandles, key: string): Promise<string | null> {
  const msg = await h.jsm.streams.getMessage(`KV_${SNAPSHOT_BUCKET}`, { last_by_subj: `$KV.${SNAPSHOT_BUCKET}.${key}` });
  if (msg === null || msg.data.length === 0) return null;
  return msg.string();
}

/** Checks a stored record against the stream and the limit; null when it must not be used. */
export function usable(record: unknown, stream: string, limit: SnapshotLimit): LoadedSnapshot | null {
  let state: State;
  try {
    state = restoreSnapshot(record);
  } catch {
    return null;
  }
  const r = record as Partial<StoredSnapshot>;
  if (r.stream !== stream || r.streamCreated !== limit.bounds.created) return null;
  const until = Math.min(limit.until ?? limit.bounds.lastSeq, limit.bounds.lastSeq);
  if (state.seq > until) return null;
  const throughTimestamp = typeof r.throughTimestamp === 'string' ? r.throughTimestamp : null;
  if (limit.atOrBeforeMs !== undefined) {
    const t = throughTimestamp === null ? Number.NaN : Date.parse(throughTimestamp);
    if (Number.isNaN(t) || t > limit.atOrBeforeMs) return null;
  }
  return { state, throughSeq: state.seq, node: typeof r.node === 'string' ? r.node : '', throughTimestamp };
}

/** Stores `record` unless the bucket already holds a snapshot of the same stream at least as new. */
export async function saveSnapshot(bus: BusReader, record: StoredSnapshot): Promise<SaveOutcome> {
  const h = handlesOf(bus);
  const kv = await bucket(h);
  const key = snapshotKey(record.stream, record.version);
  const json = JSON.stringify(record);
  const bytes = new TextEncoder().encode(json);
  // Room for the message's headers and the KV subject within the server's limit.
  const partBytes = Math.max(1024, (h.nc.info?.max_payload ?? 1024 * 1024) - 4096);
  const current = await kv.get(key);
  const stored = current === null || current.operation !== 'PUT' ? null : (current.json() as Partial<StoredSnapshot> & Partial<PartsHead>);
  const sameStream = stored !== null && stored.stream === record.stream && stored.streamCreated === record.streamCreated;
  if (sameStream && typeof stored.throughSeq === 'number' && stored.throughSeq >= record.throughSeq) return { saved: false, key, reason: 'older' };
  let head: Uint8Array = bytes;
  let written: PartsHead | null = null;
  let firstPart = 0;
  if (bytes.length > partBytes) {
    // Split on characters, not bytes: each part is valid text on its own.
    const parts = splitByBytes(json, partBytes);
    written = { parts: parts.length, partKey: `${key}.p${record.throughSeq}`, bytes: bytes.length, stream: record.stream, streamCreated: record.streamCreated, throughSeq: record.throughSeq };
    for (const [i, part] of parts.entries()) {
      const revision = await kv.put(`${written.partKey}.${i}`, part);
      if (i === 0) firstPart = revision;
    }
    head = new TextEncoder().encode(JSON.stringify(written));
  }
  let headRevision: number;
  try {
    headRevision = current === null ? await kv.create(key, head) : await kv.update(key, head, current.revision);
  } catch (err) {
    if (written !== null) await purgeParts(h, written);
    if (isWrongLastSequence(err)) return { saved: false, key, reason: 'raced' };
    throw err;
  }
  // Every part older than this snapshot's goes, the replaced snapshot's and any a failed purge
  // left behind; a failure here leaves them to the next save.
  await h.jsm.streams.purge(`KV_${SNAPSHOT_BUCKET}`, { filter: `$KV.${SNAPSHOT_BUCKET}.${key}.>`, seq: written === null ? headRevision : firstPart }).catch(() => undefined);
  return { saved: true, key, bytes: bytes.length };
}

// Removes the parts' messages from the bucket's stream: a KV purge would leave a marker per key
// behind, one more for every part of every save.
async function purgeParts(h: NatsHandles, head: PartsHead): Promise<void> {
  await h.jsm.streams.purge(`KV_${SNAPSHOT_BUCKET}`, { filter: `$KV.${SNAPSHOT_BUCKET}.${head.partKey}.>` });
}

/** Cuts `text` into pieces of at most `max` UTF-8 bytes each, never inside a character. */
export function splitByBytes(text: string, max: number): string[] {
  const parts: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A surrogate pair is one 4-byte character: take both halves together.
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length;
    const size = pair ? 4 : code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
    if (bytes + size > max) {
      parts.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += size;
    if (pair) i++;
  }
  parts.push(text.slice(start));
  return parts;
}

/** Removes a stream's snapshot of this reducer version (tests and tools). */
export async function deleteSnapshot(bus: BusReader, version: number = REDUCER_VERSION): Promise<void> {
  const h = handlesOf(bus);
  const kv = await bucket(h);
  const key = snapshotKey(bus.streamName, version);
  const head = await directGet(h, key);
  const record: unknown = head === null ? null : JSON.parse(head);
  if (isPartsHead(record)) await purgeParts(h, record);
  await kv.purge(key);
}

/** Writes a record as is, without the newer-only rule (tests and tools). */
export async function putSnapshotRecord(bus: BusReader, key: string, record: unknown): Promise<void> {
  const kv = await bucket(handlesOf(bus));
  await kv.put(key, JSON.stringify(record));
}

const buckets = new WeakMap<NatsHandles, Promise<KV>>();

// Opening a bucket asks the server about its stream: once per connection is enough.
function bucket(h: NatsHandles): Promise<KV> {
  let kv = buckets.get(h);
  if (kv === undefined) {
    kv = new Kvm(h.js).open(SNAPSHOT_BUCKET);
    kv.catch(() => buckets.delete(h));
    buckets.set(h, kv);
  }
  return kv;
}
