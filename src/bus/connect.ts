// connectBus: the second step of the one startup path. Embedded mode launches our own
// nats-server child and connects to it; external mode connects to configured servers and
// starts nothing. Either way the same stream and bucket are then ensured, so everything after
// this point is identical in both modes.
//
// In:  a loaded NestorConfig.
// Out: a Bus (connection, JetStream handles, publish, snapshots), or BusUnavailableError /
//      StreamSetupError / a launch error, after a short bounded retry. Nothing is left running
//      on failure.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { AuthorizationError, connect, credsAuthenticator, UserAuthenticationExpiredError } from '@nats-io/transport-node';
import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import type { NatsMode, NestorConfig } from '../config/index.ts';
import type { NestorEvent } from '../events/index.ts';
import { BusUnavailableError } from './errors.ts';
import { launchNatsServer, launchOptionsFromConfig } from './launch.ts';
import type { EmbeddedServer } from './launch.ts';
import { DEFAULT_PUBLISH_RETRY, isNoResponders, isRetryable, publishEvent } from './publish.ts';
import type { PublishResult, PublishRetry } from './publish.ts';
import { ensureEventStream, ensureSnapshotBucket } from './streams.ts';
import { BrokerSupervisor } from './supervise.ts';
import { ensureCredentials } from './credentials.ts';
import type { EmbeddedCredentials } from './credentials.ts';
import type { BrokerHooks } from './supervise.ts';

/** A connected bus with its stream and snapshot bucket in place. */
export interface Bus extends AsyncDisposable {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** URL of the server this connection uses. */
  readonly natsUrl: string;
  /** HTTP monitoring URL of the embedded server; null in external mode. */
  readonly monitorUrl: string | null;
  /** The embedded server running now (it is restarted if it dies), or null in external mode. */
  readonly server: EmbeddedServer | null;
  /** Credentials of the embedded server (nats.auth), for the clients this node starts; else null. */
  readonly credentials?: EmbeddedCredentials | null;
  readonly streamName: string;
  readonly snapshots: KV;
  /** Publishes an event on its subject (msgID = event id), retrying transient failures. */
  publish(event: NestorEvent): Promise<PublishResult>;
  /** Drains the connection, then stops the embedded server; idempotent. */
  close(): Promise<void>;
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
  const server = embedded ? await launchNatsServer(launchOptions) : null;
  try {
    const urls = server === null ? config.nats.urls : [server.natsUrl];
    const deadline = Date.now() + (opts.connectTimeoutMs ?? 3_000);
    const nc = await connectWithRetry(config, urls, deadline, opts.component ?? 'bus', credentials);
    try {
      const jsm = await openJetStream(nc, config.nats.mode, urls, deadline);
      const js = jetstream(nc);
      const ensure = async (): Promise<KV> => {
        await ensureEventStream(jsm, config.events, config.nats.store);
        return ensureSnapshotBucket(js, config.nats.store, config.events.replicas);
      };
      // A cluster that has just formed answers JetStream requests with timeouts or 503s until
      // its meta leader is elected: retry those (only those) for a while.
      const snapshots = await retryTransient(ensure, 15_000);
      const supervisor =
        server === null ? null : new BrokerSupervisor(server, launchOptions, () => retryUntil(ensure, 15_000), opts.broker);
      // An external broker may come back without our stream (a memory store, a rebuilt
      // server): ensure it again after every reconnect.
      if (server === null) void reensureOnReconnect(nc, ensure, opts.broker);
      const publishRetry = opts.publishRetry ?? (server === null ? DEFAULT_PUBLISH_RETRY : EMBEDDED_PUBLISH_RETRY);
      return makeBus({ nc, js, jsm, supervisor, snapshots, streamName: config.events.stream, publishRetry, credentials });
    } catch (err) {
      await nc.close();
      throw err;
    }
  } catch (err) {
    await server?.stop();
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

async function retryTransient<T>(fn: () => Promise<T>, budgetMs: number): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err) || Date.now() + delay >= deadline) throw err;
      await sleep(delay);
    }
  }
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
}

function makeBus(p: BusParts): Bus {
  let closing: Promise<void> | undefined;
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
  const current = p.nc.getServer();
  const first = p.supervisor?.current() ?? null;
  return {
    nc: p.nc,
    js: p.js,
    jsm: p.jsm,
    natsUrl: first?.natsUrl ?? (current.includes('://') ? current : `nats://${current}`),
    monitorUrl: first?.monitorUrl ?? null,
    get server() {
      return p.supervisor?.current() ?? null;
    },
    credentials: p.credentials,
    streamName: p.streamName,
    snapshots: p.snapshots,
    publish: (event) => publishEvent(p.js, event, p.publishRetry),
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function connectionOptions(
  config: NestorConfig,
  urls: string[],
  component: string,
  embedded: EmbeddedCredentials | null,
): Promise<NodeConnectionOptions> {
  const { nats } = config;
  const base: NodeConnectionOptions = {
    servers: urls,
    name: `nestor:${config.node}:${component}`,
    // Once connected, keep reconnecting: a supervisor outlives broker restarts.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
  if (embedded !== null) return { ...base, ...credentialOptions(embedded) };
  if (nats.user !== undefined) return { ...base, user: nats.user, pass: nats.pass ?? '' };
  if (nats.token !== undefined) return { ...base, token: nats.token };
  if (nats.creds !== undefined) {
    let creds: Uint8Array;
    try {
      creds = new Uint8Array(await readFile(nats.creds));
    } catch (err) {
      throw new BusUnavailableError(nats.mode, urls, `cannot read the credentials file ${nats.creds}`, 'Check nats.creds (NESTOR_NATS_CREDS).', { cause: err });
    }
    return { ...base, authenticator: credsAuthenticator(creds) };
  }
  return base;
}

/** Connection options presenting embedded-server credentials. */
export function credentialOptions(creds: EmbeddedCredentials): Pick<NodeConnectionOptions, 'token' | 'user' | 'pass'> {
  return 'token' in creds ? { token: creds.token } : { user: creds.user, pass: creds.pass };
}

async function connectWithRetry(
  config: NestorConfig,
  urls: string[],
  deadline: number,
  component: string,
  embedded: EmbeddedCredentials | null,
): Promise<NatsConnection> {
  const options = await connectionOptions(config, urls, component, embedded);
  const mode = config.nats.mode;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      return await connect({ ...options, timeout: Math.max(250, Math.min(2_000, deadline - Date.now())) });
    } catch (err) {
      if (err instanceof AuthorizationError || err instanceof UserAuthenticationExpiredError) {
        throw new BusUnavailableError(mode, urls, 'NATS refused the credentials', AUTH_HINT, { cause: err });
      }
      if (Date.now() + delay >= deadline) throw new BusUnavailableError(mode, urls, 'cannot connect to NATS', HINTS[mode], { cause: err });
      await sleep(delay);
    }
  }
}

// A cluster that has just formed may answer 503 until it has elected a meta leader; nobody
// answering at all means JetStream is off, which waiting will not change.
async function openJetStream(nc: NatsConnection, mode: NatsMode, urls: string[], deadline: number): Promise<JetStreamManager> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      return await jetstreamManager(nc);
    } catch (err) {
      const transient = isRetryable(err) && !isNoResponders(err);
      if (!transient || Date.now() + delay >= deadline) throw new BusUnavailableError(mode, urls, 'JetStream is not available', JS_HINT, { cause: err });
      await sleep(delay);
    }
  }
}
