// Launching the embedded nats-server child.
//
// In:  data dir, server name, listen/monitor/cluster ports (-1 = random), store kind.
// Out: a running, healthy server and its real URLs (read from the ports file: /varz reports
//      the configured -1, not the port it got), or a typed error: NatsServerNotFoundError,
//      PortInUseError, NatsServerStartError (with the end of the server's stderr).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { ClusterConfig, NestorConfig, StoreKind } from '../config/index.ts';
import { NatsServerStartError } from './errors.ts';
import { findNatsServer } from './find-server.ts';
import { waitForPorts, waitHealthy } from './readiness.ts';
import type { WantedPorts } from './readiness.ts';
import { ClusterWaitReporter } from './cluster-wait.ts';
import type { ClusterWaitHooks } from './cluster-wait.ts';
import { DEFAULT_MAX_MEMORY_STORE, renderServerConfig, serverPaths } from './server-config.ts';
import type { ServerPaths } from './server-config.ts';
import type { EmbeddedCredentials } from './credentials.ts';
import { spawnServer } from './server-process.ts';
import type { ServerExit } from './server-process.ts';
import { reclaimStaleServer, writeOwner } from './stale.ts';

/** Options of {@link launchNatsServer}. */
export interface LaunchOptions {
  dataDir: string;
  /** Unique per server in a cluster (JetStream names its peers by it). */
  serverName: string;
  /** Explicit binary; found on PATH or in /usr/sbin otherwise. */
  binary?: string;
  host?: string;
  port?: number;
  monitorPort?: number;
  store?: StoreKind;
  cluster?: ClusterConfig;
  startTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL when stopping. */
  stopTimeoutMs?: number;
  maxMemoryStore?: number;
  /** Credentials clients must present; none by default. */
  auth?: EmbeddedCredentials;
}

/** A running embedded nats-server; stop it with `stop()` or `await using`. */
export interface EmbeddedServer extends AsyncDisposable {
  readonly pid: number;
  readonly natsUrl: string;
  readonly monitorUrl: string;
  /** URL of the cluster listener, null without cluster settings. */
  readonly clusterUrl: string | null;
  readonly paths: ServerPaths;
  /** Pid of a stale server from an earlier run that was stopped first, or null. */
  readonly reclaimedPid: number | null;
  /** Settles when the process exits, whether asked to or not (for supervision). */
  readonly exited: Promise<ServerExit>;
  /** The last ~64 KiB the server wrote to stderr. */
  stderr(): string;
  /** SIGTERM, bounded wait, SIGKILL; idempotent. Keeps the store for the next start. */
  stop(): Promise<void>;
}

/** Launch options taken from a loaded config (the embedded server is named after the node). */
export function launchOptionsFromConfig(config: NestorConfig): LaunchOptions {
  const { nats } = config;
  return {
    dataDir: config.dataDir,
    serverName: config.node,
    host: nats.host,
    port: nats.port,
    monitorPort: nats.monitorPort,
    store: nats.store,
    startTimeoutMs: nats.startTimeoutMs,
    ...(nats.binary === undefined ? {} : { binary: nats.binary }),
    ...(nats.cluster === undefined ? {} : { cluster: nats.cluster }),
  };
}

/**
 * Starts a nats-server for `opts.dataDir` and waits until it is listening and healthy. With
 * `wait`, a server whose cluster has no majority yet is waited for (and reported) past the start
 * timeout, until its peers come or `wait.signal` calls the start off.
 */
export async function launchNatsServer(opts: LaunchOptions, wait?: ClusterWaitHooks): Promise<EmbeddedServer> {
  wait?.signal?.throwIfAborted();
  const binary = await findNatsServer(opts.binary);
  const paths = serverPaths(opts.dataDir);
  const stopTimeoutMs = opts.stopTimeoutMs ?? 5_000;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  const wanted: WantedPorts = { host: opts.host ?? '127.0.0.1', port: opts.port ?? -1, monitorPort: opts.monitorPort ?? -1, cluster: opts.cluster };
  const reclaimedPid = await prepareFiles(opts, paths, wanted, stopTimeoutMs);

  const proc = spawnServer(binary, paths.configFile, stopTimeoutMs);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await proc.stop();
      await rm(paths.pidFile, { force: true });
      await rm(paths.ownerFile, { force: true });
    })());
  try {
    const pid = proc.pid;
    if (pid === undefined) {
      await proc.exited;
      throw new NatsServerStartError('exited', `could not run ${binary}`, proc.stderr());
    }
    await writeOwner(paths);
    const ports = await waitForPorts(paths.portsDir, pid, proc, deadline, wanted);
    wait?.signal?.throwIfAborted();
    const reporter = wait === undefined || opts.cluster === undefined ? undefined : new ClusterWaitReporter(ports.monitorUrl, opts.cluster, wait);
    await waitHealthy(ports.monitorUrl, proc, deadline, opts.cluster !== undefined, reporter);
    return {
      pid,
      natsUrl: ports.natsUrl,
      monitorUrl: ports.monitorUrl,
      clusterUrl: ports.clusterUrl,
      paths,
      reclaimedPid,
      exited: proc.exited,
      stderr: proc.stderr,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

// Reclaims a stale server, clears old ports files and writes the config file; returns the pid
// of the reclaimed server, if any.
async function prepareFiles(opts: LaunchOptions, paths: ServerPaths, wanted: WantedPorts, graceMs: number): Promise<number | null> {
  await mkdir(paths.storeDir, { recursive: true });
  const reclaimedPid = await reclaimStaleServer(paths, graceMs);
  await rm(paths.portsDir, { recursive: true, force: true });
  await mkdir(paths.portsDir, { recursive: true });
  const input = {
    serverName: opts.serverName,
    host: wanted.host,
    port: wanted.port,
    monitorPort: wanted.monitorPort,
    store: opts.store ?? 'file',
    maxMemoryStore: opts.maxMemoryStore ?? DEFAULT_MAX_MEMORY_STORE,
    ...(opts.cluster === undefined ? {} : { cluster: opts.cluster }),
    ...(opts.auth === undefined ? {} : { auth: opts.auth }),
  };
  // Owner-only: the file may hold the project's broker credentials.
  await writeFile(paths.configFile, renderServerConfig(input, paths), { mode: 0o600 });
  return reclaimedPid;
}
