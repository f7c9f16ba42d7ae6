// How the verbs find and reach a running instance. `nestor up` writes `<dataDir>/runtime.json`;
// NESTOR_URL (a NATS URL of the running instance) overrides it, and then the node is the one
// that announced itself last on the stream (orchestrator.node.up). The CLI connects as a plain
// NATS client: no embedded server, no controller, and it creates or changes nothing on the
// bus (a read-only view of the stream and the command subjects).
import { readFile } from 'node:fs/promises';
import { DeliverPolicy, JetStreamApiError, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import { SNAPSHOT_BUCKET, credentialOptions, readCredentials } from '../bus/index.ts';
import type { Bus } from '../bus/index.ts';
import { findProjectFile, loadConfig, readRuntimeInfo } from '../config/index.ts';
import type { NestorConfig, RuntimeInfo } from '../config/index.ts';
import { decode, typeFilter } from '../events/index.ts';
import { isProcessAlive } from '../process/index.ts';
import type { CliContext } from './context.ts';
import { CliFailure, NotRunningError } from './errors.ts';

/** A running instance as the CLI found it; `info --json` prints its first five fields. */
export interface InstanceInfo {
  node: string;
  /** Process id of its `nestor up` (on the host named by `hostname`, when known). */
  pid: number;
  nats: string;
  api: string | null;
  dataDir: string;
  startedAt: string | null;
  hostname: string | null;
  version: string | null;
  /** How it was found. */
  via: 'runtime-info' | 'NESTOR_URL';
}

/** Where the verbs look for an instance: NESTOR_URL, or the runtime info of a project. */
export type Target =
  | { kind: 'url'; urls: string[]; config: NestorConfig }
  | { kind: 'runtime-info'; info: InstanceInfo; config: NestorConfig };

/** An open connection to a running instance. */
export interface Connection extends AsyncDisposable {
  bus: Bus;
  info: InstanceInfo;
  config: NestorConfig;
  close(): Promise<void>;
}

/**
 * The settings of the project in `ctx.cwd` (or `file`), as `nestor up` would load them. The
 * node id is fixed so that a verb never writes one into the data dir.
 */
export async function loadCliConfig(ctx: CliContext, file?: string): Promise<NestorConfig> {
  return loadConfig({ cwd: ctx.cwd, env: ctx.env, projectFile: file, flags: { node: 'cli' } });
}

/** True when `ctx.cwd` (or `file`) names a project, so its data dir is known. */
export function hasProject(ctx: CliContext, file?: string): boolean {
  return file !== undefined || findProjectFile(ctx.cwd) !== null || (ctx.env.NESTOR_DATA_DIR ?? '') !== '';
}

/** Finds the instance to talk to without connecting (NESTOR_URL is only parsed). */
export async function findTarget(ctx: CliContext, file?: string): Promise<Target> {
  const url = ctx.env.NESTOR_URL?.trim();
  if (!url && !hasProject(ctx, file)) throw new NotRunningError(ctx.cwd, ' (there is no nestor.yaml, nestor.yml or nestor.json here)');
  const config = await loadCliConfig(ctx, file);
  if (url) return { kind: 'url', urls: url.split(',').map((u) => u.trim()).filter(Boolean), config };
  const info = await readRuntimeInfo(config.dataDir);
  if (info === null) throw new NotRunningError(config.projectDir);
  if (!(await isProcessAlive(info.pid))) {
    throw new NotRunningError(config.projectDir, ` (pid ${info.pid} in ${info.dataDir}/runtime.json has exited without cleaning up)`);
  }
  return { kind: 'runtime-info', config, info: fromRuntimeInfo(info) };
}

/** The instance a runtime info file describes. */
export function fromRuntimeInfo(info: RuntimeInfo): InstanceInfo {
  const { node, pid, nats, api, dataDir, startedAt } = info;
  return { node, pid, nats, api, dataDir, startedAt, hostname: null, version: null, via: 'runtime-info' };
}

/** Connects to the running instance of the project in `ctx.cwd` (or NESTOR_URL). */
export async function connectInstance(ctx: CliContext, file?: string): Promise<Connection> {
  return openConnection(await findTarget(ctx, file));
}

/** Connects to a target found by findTarget (or built from a runtime info file). */
export async function openConnection(target: Target): Promise<Connection> {
  const urls = target.kind === 'url' ? target.urls : [target.info.nats];
  const nc = await connectNats(target.config, urls, target);
  try {
    const jsm = await jetstreamManager(nc).catch((err: unknown) => {
      throw new CliFailure(`the NATS server at ${urls.join(', ')} has no JetStream; is NESTOR_URL the bus of a Nestor instance?`, { cause: err });
    });
    const stream = target.config.events.stream;
    await checkStream(jsm, stream, urls);
    const bus = await cliBus(nc, jsm, stream, urls[0] as string);
    const info = target.kind === 'url' ? await announcedNode(bus, urls) : target.info;
    const close = (): Promise<void> => bus.close();
    return { bus, info, config: target.config, close, [Symbol.asyncDispose]: close };
  } catch (err) {
    await nc.close().catch(() => {});
    throw err;
  }
}

async function connectNats(config: NestorConfig, urls: string[], target: Target): Promise<NatsConnection> {
  const options: NodeConnectionOptions = {
    servers: urls,
    name: 'nestor:cli',
    timeout: 3_000,
    // A short outage (a cluster member restarting) is ridden out; a stopped instance is not.
    maxReconnectAttempts: 5,
    reconnectTimeWait: 200,
    ...(await credentials(config)),
  };
  try {
    return await connect(options);
  } catch (err) {
    const reason = (err as Error).message;
    if (target.kind === 'url') {
      throw new CliFailure(`Nestor is not reachable at ${urls.join(', ')} (NESTOR_URL): ${reason}; check the URL or unset NESTOR_URL`, { cause: err });
    }
    throw new CliFailure(
      `Nestor (pid ${target.info.pid}) runs in ${target.config.projectDir} but its bus at ${urls[0]} does not answer: ${reason}; ` +
        'wait for it to finish starting, or stop it with `nestor down`',
      { cause: err },
    );
  }
}

// External clusters take the configured credentials; an embedded server with nats.auth on takes
// the per-project ones its node generated into the data dir.
async function credentials(config: NestorConfig): Promise<Partial<NodeConnectionOptions>> {
  const { nats } = config;
  if (nats.mode === 'embedded') {
    const embedded = await readCredentials(config.dataDir);
    return embedded === null ? {} : credentialOptions(embedded);
  }
  if (nats.user !== undefined) return { user: nats.user, pass: nats.pass ?? '' };
  if (nats.token !== undefined) return { token: nats.token };
  if (nats.creds !== undefined) return { authenticator: credsAuthenticator(new Uint8Array(await readFile(nats.creds))) };
  return {};
}

async function checkStream(jsm: JetStreamManager, stream: string, urls: string[]): Promise<void> {
  try {
    await jsm.streams.info(stream);
  } catch (err) {
    if (err instanceof JetStreamApiError) {
      throw new CliFailure(`there is no event stream ${stream} on ${urls.join(', ')}; is this the bus of a Nestor instance (events.stream, NESTOR_EVENTS_STREAM)?`, {
        cause: err,
      });
    }
    throw err;
  }
}

// A Bus for the readers (readEvents, followEvents, stateAt): the same stream, but this client
// never publishes events and ensures nothing.
async function cliBus(nc: NatsConnection, jsm: JetStreamManager, streamName: string, url: string): Promise<Bus> {
  const js = jetstream(nc);
  const snapshots = await new Kvm(js).open(SNAPSHOT_BUCKET);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      if (nc.isClosed()) return;
      await nc.drain().catch(() => nc.close());
    })());
  return {
    nc,
    js,
    jsm,
    natsUrl: url.includes('://') ? url : `nats://${url}`,
    monitorUrl: null,
    server: null,
    streamName,
    snapshots,
    publish: () => Promise.reject(new Error('the nestor CLI does not publish events; it sends commands')),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The node that announced itself last on the stream. */
async function announcedNode(bus: Bus, urls: string[]): Promise<InstanceInfo> {
  const consumer = await bus.js.consumers.get(bus.streamName, { filter_subjects: typeFilter('orchestrator.node.up'), deliver_policy: DeliverPolicy.Last });
  try {
    const none = (await consumer.info(true)).num_pending === 0;
    const msg = none ? null : await consumer.next({ expires: 3_000 });
    const decoded = msg === null ? null : decode(msg.data);
    if (decoded === null || !decoded.ok || decoded.event.type !== 'orchestrator.node.up') {
      throw new CliFailure(`no Nestor node has announced itself on ${urls.join(', ')} (no orchestrator.node.up event); is NESTOR_URL right?`);
    }
    const d = decoded.event.data;
    return {
      node: d.node,
      pid: d.pid,
      nats: d.nats,
      api: d.api,
      dataDir: d.dataDir,
      startedAt: decoded.event.timestamp,
      hostname: d.hostname,
      version: d.version,
      via: 'NESTOR_URL',
    };
  } finally {
    await consumer.delete().catch(() => false);
  }
}

/** A signal aborted when the connection closes for good (the instance stopped). */
export function closedSignal(conn: Connection): AbortSignal {
  const ac = new AbortController();
  void conn.bus.nc.closed().then(() => ac.abort());
  return ac.signal;
}
