// The run registry's bucket: one key per run (`run.<id>`, the whole record as JSON), written
// only with compare-and-set so that two nodes never overwrite each other, and watched by every
// node so each knows every run. Conflicts come back as values, like the lease bucket's; any
// other failure is thrown.
import { StorageType } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import type { StoreKind } from '../config/index.ts';
import { RecordTooLargeError } from '../runs/core/index.ts';
import { StreamSetupError } from './errors.ts';
import { watchBucket } from './kv-watch.ts';
import { handlesOf } from './handles.ts';
import { isWrongLastSequence } from './leases.ts';
import type { LeaseWrite } from './leases.ts';

// nats-server's default max_payload, for a connection that has not had the server's INFO yet.
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
// The headers of a compare-and-set put (expected last subject sequence) and the protocol line.
const HEADER_ROOM = 1024;

/** Name of the KV bucket holding run records. */
export const RUNS_BUCKET = 'nestor-runs';

/** One stored record and its revision (the compare-and-set token). */
export interface RunStoreEntry {
  value: unknown;
  revision: number;
}

/** A record as the watch delivers it; `read()` decodes it (null for a deleted key), so a reader that has this revision already skips the decoding. */
export interface RunStoreChange {
  key: string;
  revision: number;
  deleted: boolean;
  read(): unknown;
}

/** A running watch of the bucket. */
export interface RunStoreWatch {
  /** Resolves once every record stored when the watch began has been delivered. */
  ready: Promise<void>;
  stop(): void;
}

/** The run bucket, opened with {@link openRunStore}. */
export interface RunStore {
  get(key: string): Promise<RunStoreEntry | null>;
  /** Writes `key` only if it holds nothing; a record larger than one message rejects with RecordTooLargeError. */
  create(key: string, value: unknown): Promise<LeaseWrite>;
  /** Writes `key` only if its revision is still `expectedRevision`; a record larger than one message rejects with RecordTooLargeError. */
  update(key: string, value: unknown, expectedRevision: number): Promise<LeaseWrite>;
  /** Delivers every current record, then every change, until stopped. */
  watch(onChange: (change: RunStoreChange) => void, onError?: (err: unknown) => void): Promise<RunStoreWatch>;
}

/** How the bucket is made on first use: the event stream's store and replicas. */
export interface RunStoreOptions {
  store: StoreKind;
  replicas: number;
}

/** Opens (creating on first use) the run bucket of a bus. */
export async function openRunStore(bus: object, opts: RunStoreOptions): Promise<RunStore> {
  const { js, nc } = handlesOf(bus);
  let kv: KV;
  try {
    kv = await new Kvm(js).create(RUNS_BUCKET, {
      storage: opts.store === 'memory' ? StorageType.Memory : StorageType.File,
      replicas: opts.replicas,
      history: 1,
      // Reads after a refused compare-and-set must show the write that refused it.
      allow_direct: false,
    });
    const info = (await kv.status()).streamInfo;
    if (info.config.num_replicas !== opts.replicas) {
      const jsm = await js.jetstreamManager();
      await jsm.streams.update(info.config.name, { ...info.config, num_replicas: opts.replicas });
    }
  } catch (err) {
    throw new StreamSetupError(`KV_${RUNS_BUCKET}`, 'Check the JetStream account limits of the server and events.replicas.', { cause: err });
  }
  // The record and the compare-and-set headers must fit one message; the client would refuse a
  // larger one with a bare "max_payload size exceeded", which says nothing of the record.
  const encode = (value: unknown): string => {
    const json = JSON.stringify(value);
    const limit = (nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - HEADER_ROOM;
    // A string's UTF-8 size is at most three bytes per UTF-16 unit: measured only when it may be over.
    if (json.length * 3 > limit) {
      const bytes = Buffer.byteLength(json);
      if (bytes > limit) throw new RecordTooLargeError(bytes, limit);
    }
    return json;
  };
  return {
    async get(key) {
      const e = await kv.get(key);
      if (e === null || e.operation !== 'PUT') return null;
      return { value: decode(e), revision: e.revision };
    },
    create: async (key, value) => written(kv.create(key, encode(value)), 'exists'),
    update: async (key, value, expectedRevision) => written(kv.update(key, encode(value), expectedRevision), 'wrong-revision'),
    watch: (onChange, onError) => watchRuns(kv, onChange, onError),
  };
}

async function written(write: Promise<number>, reason: 'exists' | 'wrong-revision'): Promise<LeaseWrite> {
  try {
    return { ok: true, revision: await write };
  } catch (err) {
    if (isWrongLastSequence(err)) return { ok: false, reason };
    throw err;
  }
}

// A replayed record (the watch reopened, src/bus/kv-watch.ts) changes nothing: a reader keeps
// the newest revision of each.
async function watchRuns(kv: KV, onChange: (c: RunStoreChange) => void, onError?: (err: unknown) => void): Promise<RunStoreWatch> {
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  // An empty bucket delivers nothing to say the replay is over.
  if ((await kv.status()).values === 0) markReady();
  const stop = await watchBucket(
    kv,
    (e) => {
      const deleted = e.operation !== 'PUT';
      onChange({ key: e.key, revision: e.revision, deleted, read: () => (deleted ? null : decode(e)) });
      if (e.isUpdate || e.delta === 0) markReady();
    },
    onError,
  );
  return {
    ready,
    stop() {
      markReady();
      stop();
    },
  };
}

function decode(e: { json<T>(): T; string(): string }): unknown {
  try {
    return e.json();
  } catch {
    return e.string();
  }
}
