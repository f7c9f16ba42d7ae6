// The event stream and the snapshot bucket, created or brought up to date at every boot (a
// memory-store server forgets them when it stops, and a config change must take effect).
import { JetStreamApiCodes, JetStreamApiError, DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager, StreamConfig, StreamInfo } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { nanos } from '@nats-io/transport-node';
import type { EventsConfig, StoreKind } from '../config/index.ts';
import { ALL_EVENTS } from '../events/index.ts';
import { StreamSetupError } from './errors.ts';

/** Name of the KV bucket holding state snapshots. */
export const SNAPSHOT_BUCKET = 'nestor_snapshots';

// Not in the client's JetStreamApiCodes table: "stream name already in use with a different
// configuration", returned when another node created the stream between our info and add.
const STREAM_NAME_IN_USE = 10058;

/** The stream configuration Nestor owns (other fields of an existing stream are kept). */
export function eventStreamConfig(events: EventsConfig, store: StoreKind): Partial<StreamConfig> & { name: string } {
  return {
    name: events.stream,
    subjects: [ALL_EVENTS],
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    storage: store === 'memory' ? StorageType.Memory : StorageType.File,
    max_age: nanos(events.maxAgeMs),
    max_bytes: events.maxBytes,
    max_msgs: events.maxMsgs,
    duplicate_window: nanos(events.duplicateWindowMs),
    num_replicas: events.replicas,
  };
}

/** Creates the event stream, or updates its limits when they differ from the config. */
export async function ensureEventStream(jsm: JetStreamManager, events: EventsConfig, store: StoreKind): Promise<StreamInfo> {
  const want = eventStreamConfig(events, store);
  try {
    return await createOrUpdate(jsm, want);
  } catch (err) {
    if (err instanceof StreamSetupError) throw err;
    if (isApiError(err, STREAM_NAME_IN_USE)) return createOrUpdate(jsm, want).catch((e: unknown) => setupFailure(want.name, e));
    return setupFailure(want.name, err);
  }
}

async function createOrUpdate(jsm: JetStreamManager, want: Partial<StreamConfig> & { name: string }): Promise<StreamInfo> {
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(want.name);
  } catch (err) {
    if (isApiError(err, JetStreamApiCodes.StreamNotFound)) return jsm.streams.add(want);
    throw err;
  }
  if (info.config.storage !== want.storage) {
    throw new StreamSetupError(
      want.name,
      `It exists with ${info.config.storage} storage but ${want.storage} storage is configured (nats.store); ` +
        `JetStream cannot change a stream's storage: set nats.store back, or delete the stream (or the data dir) to recreate it.`,
    );
  }
  const changed = (Object.keys(want) as (keyof StreamConfig)[]).some((k) => JSON.stringify(info.config[k]) !== JSON.stringify(want[k]));
  if (!changed) return info;
  return jsm.streams.update(want.name, { ...info.config, ...want });
}

/** Opens the snapshot bucket, creating it on first use and giving it the configured replicas. */
export async function ensureSnapshotBucket(js: JetStreamClient, store: StoreKind, replicas: number): Promise<KV> {
  try {
    const kv = await new Kvm(js).create(SNAPSHOT_BUCKET, {
      storage: store === 'memory' ? StorageType.Memory : StorageType.File,
      replicas,
      history: 1,
    });
    // The client only opens a bucket that exists, whatever replicas it is asked for, so a
    // bucket made before the cluster grew would otherwise keep its single copy.
    const info = (await kv.status()).streamInfo;
    if (info.config.num_replicas !== replicas) {
      const jsm = await js.jetstreamManager();
      await jsm.streams.update(info.config.name, { ...info.config, num_replicas: replicas });
    }
    return kv;
  } catch (err) {
    return setupFailure(`KV_${SNAPSHOT_BUCKET}`, err);
  }
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

function setupFailure(stream: string, err: unknown): never {
  throw new StreamSetupError(stream, 'Check the stream limits in the config (events.*) and the JetStream account limits of the server.', { cause: err });
}
