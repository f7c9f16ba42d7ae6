// connectBus: the second step of the one startup path. Embedded mode launches our own
// nats-server child and connects to it; external mode connects to configured servers and
// starts nothing. Either way the same stream and bucket are then ensured, so everything after
// this point is identical in both modes.
//
// In:  a loaded NestorConfig.
// Out: a Bus (a BusWriter for the shells, plus the raw handles for tests and benches), or
//      BusUnavailableError / StreamSetupError / a launch error, after a short bounded retry.
//      Nothing is left running on failure.
import { setTimeout as sleep } from 'node:timers/promises';
import { JetStreamApiError, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { AuthorizationError, connect, UserAuthenticationExpiredError } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import type { NatsMode, NestorConfig } from '../config/index.ts';
import type { NestorEvent } from '../events/index.ts';
import { BusUnavailableError, ReaderConnectError } from './errors.ts';
import { attachHandles } from './handles.ts';
import { launchNatsServer, launchOptionsFromConfig } from './launch.ts';
import type { EmbeddedServer } from './launch.ts';
import { natsOptions } from './nats-options.ts';
import type { ReconnectPolicy } from './nats-options.ts';
import { DEFAULT_PUBLISH_RETRY, isNoResponders, isRetryable, publishEvent } from './publish.ts';
import type { PublishResult, PublishRetry } from './publish.ts';
import { makeReader } from './reader.ts';
import type { BusReader } from './reader.ts';
import { ensureEventStream, ensureSnapshotBucket } from './streams.ts';
import { CLAIM_BUCKET, openLeases } from './leases.ts';
import type { Leases } from './leases.ts';
import { BrokerSupervisor } from './supervise.ts';
import { ensureCredentials, readCredentials } from './credentials.ts';
import type { EmbeddedCredentials } from './credentials.ts';
import type { BrokerHooks } from './supervise.ts';
import { ClusterWaitReporter, abortableSleep, isPeersMissing } from './cluster-wait.ts';

/** A reader that also publishes: what the node's shells (controller, API, harness) hold. */
export interface BusWriter extends BusReader {
  /** HTTP monitoring URL of the embedded server; null in external mode. */
  readonly monitorUrl: string | null;
  /** The embedded server running now (it is restarted if it dies), or null in external mode. */
  readonly server: EmbeddedServer | null;
  /** Credentials of the embedded server (nats.auth), for the clients this node starts; else null. */
  readonly credentials?: EmbeddedCredentials | null;
  /** Publishes an event on its subject (msgID = event id), retrying transient failures. */
  publish(event: NestorEvent): Promise<PublishResult>;
  /** Opens the node lease bucket (created on first use); the same object on every call. */
  leases(): Promise<Leases>;
  /** Opens the instance claims bucket (created on first use); the same object on every call. */
  claims(): Promise<Leases>;
  /** Drains the connection, then stops the embedded server; idempotent. */
  close(): Promise<void>;
}

/**
 * The node's connection as connectBus returns it. The client handles are there for tests,
 * benches and the SDK; shells take a BusWriter or BusReader, and lint keeps them off these.
 */
export interface Bus extends BusWriter {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly snapshots: KV;
}

/** Options of {@link connectBus}. */
export interface ConnectOptions {
  /** Names the connection `nestor:<node>:<component>` in the server's /connz. */
  component?: string;
  /** Budget for connecting and reaching JetStream before failing. */
  connectTimeoutMs?: number;
  publishRetry?: PublishRetry;
  /** Hears about the embedded server dying and being restarted. */
  broker?: BrokerHooks;
  /**
   * Hears, every few seconds, that the embedded server waits for its cluster peers. With this
   * hook or a signal such a wait has no deadline (peers may be started minutes later); without
   * both it fails after nats.startTimeoutMs. Errors that waiting cannot cure fail at once.
   */
  onWaiting?(line: string): void;
  /** Calls the connection off at any step; the embedded server started so far is stopped. */
  signal?: AbortSignal;
}

/** Embedded mode rides out a broker restart: publishes keep retrying while it comes back. */
const EMBEDDED_PUBLISH_RETRY: PublishRetry = { totalMs: 30_000, attemptTimeoutMs: 2_000 };

const HINTS: Record<NatsMode, string> = {
  embedded: 'The embedded nats-server started but did not accept the connection; see its output in the data dir and retry.',
  external: 'Check that the servers in nats.urls (NESTOR_NATS_URLS) are running and reachable from here.',
};
const AUTH_HINT = 'Check nats.user/nats.pass, nats.token or nats.creds (NESTOR_NATS_USER, NESTOR_NATS_PASS, NESTOR_NATS_TOKEN, NESTOR_NATS_CREDS).';
const JS_HINT = 'The server must run with JetStream enabled (nats-server -js, or a jetstream {} block) for this account.';

/** Connects to NATS as configured and ensures the event stream and snapshot bucket. */
export async function connectBus(config: NestorConfig, opts: ConnectOptions = {}): Promise<Bus> {
  const embedded = config.nats.mode === 'embedded';
  const credentials = embedded && config.nats.auth !== 'none' ? await ensureCredentials(config.dataDir, config.nats.auth) : null;
  const launchOptions = { ...launchOptionsFromConfig(config), ...(credentials === null ? {} : { auth: credentials }) };
  const { signal } = opts;
  // Waiting without a deadline is for a caller that can hear about it or call it off.
  const hooks = opts.onWaiting === undefined && signal === undefined ? undefined : { signal, ...(opts.onWaiting === undefined ? {} : { onWaiting: opts.onWaiting }) };
  const server = embedded ? await launchNatsServer(launchOptions, hooks) : null;
  try {
    const urls = server === null ? config.nats.urls : [server.natsUrl];
    const deadline = Date.now() + (opts.connectTimeoutMs ?? 3_000);
    const nc = await connectWithRetry(config, urls, deadline, opts.component ?? 'bus', credentials, signal);
    try {
      const jsm = await openJetStream(nc, config.nats.mode, urls, deadline, signal);
      const js = jetstream(nc);
      const ensure = async (): Promise<KV> => {
        await ensureEventStream(jsm, config.events, config.nats.store);
        return ensureSnapshotBucket(js, config.nats.store, config.events.replicas);
      };
      const cluster = server === null ? undefined : config.nats.cluster;
      const wait = cluster === undefined || hooks === undefined ? null : new ClusterWaitReporter(server?.monitorUrl ?? '', cluster, hooks, config.events.replicas);
      // A cluster that has just formed answers JetStream requests with timeouts or 503s until
      // its meta leader is elected: retry those (only those) for a while, and for as long as
      // it takes when the cause is a missing peer (too few servers for the stream's replicas).
      const snapshots = await retryTransient(ensure, 15_000, wait, signal);
      const supervisor =
        server === null ? null : new BrokerSupervisor(server, launchOptions, () => retryUntil(ensure, 15_000), opts.broker);
      // An external broker may come back without our stream (a memory store, a rebuilt
      // server): ensure it again after every reconnect.
      if (server === null) void reensureOnReconnect(nc, ensure, opts.broker);
      const publishRetry = opts.publishRetry ?? (server === null ? DEFAULT_PUBLISH_RETRY : EMBEDDED_PUBLISH_RETRY);
      const openLeaseBucket = (): Promise<Leases> => retryTransient(() => openLeases(js, config.nats.store, config.events.replicas), 15_000);
      const openClaimBucket = (): Promise<Leases> => retryTransient(() => openLeases(js, config.nats.store, config.events.replicas, CLAIM_BUCKET), 15_000);
      return makeBus({ nc, js, jsm, supervisor, snapshots, streamName: config.events.stream, publishRetry, credentials, openLeaseBucket, openClaimBucket });
    } catch (err) {
      await nc.close();
      throw err;
    }
  } catch (err) {
    await server?.stop();
    throw err;
  }
}

/** Options of {@link connectReader}. */
export interface ReaderOptions {
  urls: string[];
  /** The connection's name in the server's /connz. */
  name: string;
  timeoutMs: number;
  reconnect: ReconnectPolicy;
}

/**
 * Connects read-only to the event stream of a running node: no server, no stream setup, one
 * attempt. Fails with ReaderConnectError when the URLs hold no reachable Nestor stream.
 */
export async function connectReader(config: NestorConfig, opts: ReaderOptions): Promise<BusReader> {
  const { urls } = opts;
  // An embedded server with nats.auth on takes the credentials its node generated; a reader
  // never generates them.
  const embedded = config.nats.mode === 'embedded' ? await readCredentials(config.dataDir) : null;
  const options = await natsOptions(config, urls, opts.name, opts.reconnect, embedded);
  let nc: NatsConnection;
  try {
    nc = await connect({ ...options, timeout: opts.timeoutMs });
  } catch (err) {
    throw new ReaderConnectError('connect', urls, { cause: err });
  }
  try {
    // In a cluster the stream answers nothing while it elects a new leader (a member just
    // died): a few seconds of 503s and timeouts that a reader waits out rather than reports.
    const jsm = await retryTransient(() => jetstreamManager(nc), READER_SETTLE_MS).catch((err: unknown) => {
      throw new ReaderConnectError('jetstream', urls, { cause: err });
    });
    const stream = config.events.stream;
    await retryTransient(() => jsm.streams.info(stream), READER_SETTLE_MS).catch((err: unknown) => {
      throw err instanceof JetStreamApiError && err.status !== 503 ? new ReaderConnectError('stream', urls, { cause: err }) : err;
    });
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        if (nc.isClosed()) return;
        await nc.drain().catch(() => nc.close());
      })());
    // A shorter API timeout than the client's 5 s: a consumer the cluster placed on a dead
    // server is given up (and created again) sooner, and a reader answers a person.
    return makeReader({ nc, js: jetstream(nc, { timeout: READER_API_TIMEOUT_MS }), jsm }, stream, urls[0] ?? '', close);
  } catch (err) {
    await nc.close().catch(() => {});
    throw err;
  }
}

async function reensureOnReconnect(nc: NatsConnection, ensure: () => Promise<unknown>, hooks: BrokerHooks | undefined): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') hooks?.onDown?.(`lost the connection to NATS (${nc.getServer()})`);
    if (status.type !== 'reconnect') continue;
    await retryUntil(ensure, 15_000).then(
      () => hooks?.onRestarted?.(0),
      (err: unknown) => hooks?.onError?.(err),
    );
  }
}

/** JetStream API timeout of a reader's requests. */
const READER_API_TIMEOUT_MS = 2_000;

/** How long a reader waits for a cluster's stream to elect a leader before it reports the failure. */
const READER_SETTLE_MS = 8_000;

async function retryTransient<T>(fn: () => Promise<T>, budgetMs: number, wait: ClusterWaitReporter | null = null, signal?: AbortSignal): Promise<T> {
  let deadline = Date.now() + budgetMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      return await fn();
    } catch (err) {
      signal?.throwIfAborted();
      if (wait !== null && (isPeersMissing(err) || (isRetryable(err) && (await peersMissing(wait))))) {
        await wait.tick();
        await wait.pause(delay);
        // A cluster that has just formed gets the usual time to settle.
        deadline = Date.now() + budgetMs;
        continue;
      }
      if (!isRetryable(err) || Date.now() + delay >= deadline) throw err;
      await abortableSleep(delay, signal);
    }
  }
}

// A timeout alone is no proof of a missing peer: only when fewer servers are seen than needed.
async function peersMissing(wait: ClusterWaitReporter): Promise<boolean> {
  const view = await wait.view();
  return view.seen < view.needed;
}

/** Retries `fn` (a reconnecting client fails until the server is back) until it succeeds or time runs out. */
async function retryUntil<T>(fn: () => Promise<T>, budgetMs: number): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      await fn();
      return;
    } catch (err) {
      if (Date.now() + delay >= deadline) throw err;
      await sleep(delay);
    }
  }
}

interface BusParts {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  supervisor: BrokerSupervisor | null;
  credentials: EmbeddedCredentials | null;
  snapshots: KV;
  streamName: string;
  publishRetry: PublishRetry;
  openLeaseBucket: () => Promise<Leases>;
  openClaimBucket: () => Promise<Leases>;
}

function makeBus(p: BusParts): Bus {
  let closing: Promise<void> | undefined;
  let leases: Promise<Leases> | undefined;
  let claims: Promise<Leases> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      try {
        // Drain flushes what was published and lets subscriptions finish their current message.
        if (!p.nc.isClosed()) await p.nc.drain();
      } catch {
        await p.nc.close();
      } finally {
        await p.supervisor?.stop();
      }
    })());
  const first = p.supervisor?.current() ?? null;
  const handles = { nc: p.nc, js: p.js, jsm: p.jsm };
  const reader = makeReader(handles, p.streamName, first?.natsUrl ?? p.nc.getServer(), close);
  const bus: Bus = {
    ...reader,
    ...handles,
    monitorUrl: first?.monitorUrl ?? null,
    get server() {
      return p.supervisor?.current() ?? null;
    },
    credentials: p.credentials,
    snapshots: p.snapshots,
    publish: (event) => publishEvent(p.js, event, p.publishRetry),
    // A failed open is forgotten so that the next call tries again.
    leases: () =>
      (leases ??= p.openLeaseBucket().catch((err: unknown) => {
        leases = undefined;
        throw err;
      })),
    claims: () =>
      (claims ??= p.openClaimBucket().catch((err: unknown) => {
        claims = undefined;
        throw err;
      })),
  };
  return attachHandles(bus, handles);
}

async function connectWithRetry(
  config: NestorConfig,
  urls: string[],
  deadline: number,
  component: string,
  embedded: EmbeddedCredentials | null,
  signal: AbortSignal | undefined,
): Promise<NatsConnection> {
  // Once connected, keep reconnecting: a supervisor outlives broker restarts.
  const options = await natsOptions(config, urls, `nestor:${config.node}:${component}`, { attempts: -1, waitMs: 500 }, embedded);
  const mode = config.nats.mode;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      return await connect({ ...options, timeout: Math.max(250, Math.min(2_000, deadline - Date.now())) });
    } catch (err) {
      if (err instanceof AuthorizationError || err instanceof UserAuthenticationExpiredError) {
        throw new BusUnavailableError(mode, urls, 'NATS refused the credentials', AUTH_HINT, { cause: err });
      }
      signal?.throwIfAborted();
      if (Date.now() + delay >= deadline) throw new BusUnavailableError(mode, urls, 'cannot connect to NATS', HINTS[mode], { cause: err });
      await abortableSleep(delay, signal);
    }
  }
}

// A cluster that has just formed may answer 503 until it has elected a meta leader; nobody
// answering at all means JetStream is off, which waiting will not change.
async function openJetStream(nc: NatsConnection, mode: NatsMode, urls: string[], deadline: number, signal: AbortSignal | undefined): Promise<JetStreamManager> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      return await jetstreamManager(nc);
    } catch (err) {
      signal?.throwIfAborted();
      const transient = isRetryable(err) && !isNoResponders(err);
      if (!transient || Date.now() + delay >= deadline) throw new BusUnavailableError(mode, urls, 'JetStream is not available', JS_HINT, { cause: err });
      await abortableSleep(delay, signal);
    }
  }
}
