// The node lease bucket: a narrow KV wrapper whose writes are compare-and-set and whose reads
// carry the server's timestamp. Membership judges leases by those timestamps only, so the
// stamp the server put on an entry is part of every read. The two expected write conflicts
// (key exists, revision moved on) come back as values; anything else (no connection, a
// timeout) is thrown, because the caller cannot tell whether such a write landed.
import { JetStreamApiCodes, JetStreamApiError, StorageType } from '@nats-io/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV, KvEntry } from '@nats-io/kv';
import type { StoreKind } from '../config/index.ts';
import { StreamSetupError } from './errors.ts';

/** Name of the KV bucket holding node leases, one key per node id. */
export const LEASE_BUCKET = 'nestor-nodes';

/** Outcome of a compare-and-set write: the new revision, or the conflict that refused it. */
export type LeaseWrite = { ok: true; revision: number } | { ok: false; reason: 'exists' | 'wrong-revision' };

/** A stored lease value as read: the server stamped `serverTime` when it stored the revision. */
export interface LeaseRecord {
  value: unknown;
  revision: number;
  serverTime: Date;
}

/** One entry as a watch delivers it; a deleted key has `value` null. */
export interface LeaseEntry extends LeaseRecord {
  key: string;
  deleted: boolean;
}

/** The lease bucket, opened with {@link BusWriter.leases}. */
export interface Leases {
  /** Writes `key` only if it holds nothing (or was deleted). */
  create(key: string, value: unknown): Promise<LeaseWrite>;
  /** Writes `key` only if its current revision is `expectedRevision`. */
  update(key: string, value: unknown, expectedRevision: number, timeoutMs?: number): Promise<LeaseWrite>;
  /** The current value of `key`, or null when it holds none. */
  get(key: string): Promise<LeaseRecord | null>;
  /** Delivers every current entry, then every later one, until the returned function is called. */
  watch(onEntry: (entry: LeaseEntry) => void, onError?: (err: unknown) => void): Promise<() => void>;
  /** Deletes `key` (a delete marker; a later create succeeds); with a revision, only if that is still the current one (false when it is not). */
  delete(key: string, expectedRevision?: number): Promise<boolean>;
}

/** Name of the KV bucket holding instance claims (which node may run each placed instance). */
export const CLAIM_BUCKET = 'nestor-claims';

/** Opens the lease bucket (or, by name, another compare-and-set bucket such as the claims), creating it on first use. */
export async function openLeases(js: JetStreamClient, store: StoreKind, replicas: number, bucket = LEASE_BUCKET): Promise<Leases> {
  let kv: KV;
  try {
    kv = await new Kvm(js).create(bucket, {
      storage: store === 'memory' ? StorageType.Memory : StorageType.File,
      replicas,
      history: 1,
      // Reads go to the stream leader: a lease read right after a refused compare-and-set must
      // show the write that refused it, which a lagging replica answering a direct get may not
      // (and in a cluster just formed, direct gets were seen to time out for seconds).
      allow_direct: false,
    });
  } catch (err) {
    throw new StreamSetupError(`KV_${bucket}`, 'Check the JetStream account limits of the server and events.replicas.', { cause: err });
  }
  return leasesOf(kv);
}

function leasesOf(kv: KV): Leases {
  return {
    create: (key, value) => conflictAware(kv.create(key, encode(value)), 'exists'),
    update: (key, value, expectedRevision, timeoutMs) =>
      conflictAware(kv.update(key, encode(value), expectedRevision, timeoutMs), 'wrong-revision'),
    async get(key) {
      const e = await kv.get(key);
      if (e === null || e.operation !== 'PUT') return null;
      return { value: decode(e), revision: e.revision, serverTime: e.created };
    },
    watch: (onEntry, onError) => watchAll(kv, onEntry, onError),
    delete: async (key, expectedRevision) => {
      const write = await conflictAware(
        kv.delete(key, expectedRevision === undefined ? undefined : { previousSeq: expectedRevision }).then(() => 0),
        'wrong-revision',
      );
      return write.ok;
    },
  };
}

async function conflictAware(write: Promise<number>, reason: 'exists' | 'wrong-revision'): Promise<LeaseWrite> {
  try {
    return { ok: true, revision: await write };
  } catch (err) {
    if (isWrongLastSequence(err)) return { ok: false, reason };
    throw err;
  }
}

/** Whether the server refused a write because the key's revision was not the expected one. */
export function isWrongLastSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

// The client's watcher is an ordered consumer that resets itself on gaps; should its iterator
// end anyway (the consumer deleted under it, a cluster that lost it), a fresh watch replays the
// current values, which a lease reader takes as no more than a repeat.
async function watchAll(kv: KV, onEntry: (entry: LeaseEntry) => void, onError?: (err: unknown) => void): Promise<() => void> {
  let stopped = false;
  let delivered = 0;
  const take = (e: KvEntry): void => {
    delivered = Math.max(delivered, e.revision);
    deliver(e, onEntry);
  };
  let current = await kv.watch();
  const pump = async (): Promise<void> => {
    for (;;) {
      try {
        for await (const e of current) take(e);
      } catch (err) {
        onError?.(err);
      }
      if (stopped) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (stopped) return;
      try {
        current = await kv.watch();
      } catch (err) {
        onError?.(err);
      }
    }
  };
  void pump();
  // A watch's consumer lives on one server. When that server dies the client notices only
  // after two missed heartbeats of 30 s, and its attempts to recreate the consumer can land on
  // the dead server again: the watch goes quiet without ending while the bucket moves on (a
  // scheduler then acts on claims a minute old). So the bucket's last sequence is compared
  // with what the watch delivered; a watch behind it at two checks in a row is opened again,
  // and the new one replays every current entry.
  let behindAt = 0;
  const check = setInterval(() => {
    void kv
      .status()
      .then((st) => {
        const last = st.streamInfo.state.last_seq;
        if (last <= delivered) {
          behindAt = 0;
        } else if (behindAt !== 0 && delivered < behindAt) {
          behindAt = 0;
          current.stop();
        } else {
          behindAt = last;
        }
      })
      .catch(() => undefined);
  }, WATCH_CHECK_MS);
  check.unref();
  return () => {
    stopped = true;
    clearInterval(check);
    current.stop();
  };
}

/** How often a watch is compared with its bucket's last sequence. */
const WATCH_CHECK_MS = 2_000;

function deliver(e: KvEntry, onEntry: (entry: LeaseEntry) => void): void {
  const deleted = e.operation !== 'PUT';
  onEntry({ key: e.key, value: deleted ? null : decode(e), revision: e.revision, serverTime: e.created, deleted });
}

function encode(value: unknown): string {
  return JSON.stringify(value);
}

// A value that is not JSON (written by hand with the nats CLI) reads as its raw text, so a
// reader sees that something is there instead of losing the entry.
function decode(e: KvEntry): unknown {
  try {
    return e.json();
  } catch {
    return e.string();
  }
}
