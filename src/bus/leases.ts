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
import { watchBucket } from './kv-watch.ts';

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

// A lease reader takes a replayed value as no more than a repeat (src/bus/kv-watch.ts).
function watchAll(kv: KV, onEntry: (entry: LeaseEntry) => void, onError?: (err: unknown) => void): Promise<() => void> {
  return watchBucket(kv, (e) => deliver(e, onEntry), onError);
}

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
