// The one startup path: config → bus → caddy → controller → services → shells. `nestor up` and the
// harness both call bootNode(), and variation comes from config values only, so what the tests
// boot is what users run.
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { startApiServer } from '../api/index.ts';
import type { ApiServer } from '../api/index.ts';
import type { Bus, BusWriter } from '../bus/index.ts';
import { connectBus, createEventFactory, restoreCaddyFiles, watchCaddyData } from '../bus/index.ts';
import { NESTOR_VERSION, readProjectFile, removeRuntimeInfo, writeRuntimeInfo } from '../config/index.ts';
import type { NestorConfig } from '../config/index.ts';
import { CaddyEdge, projectWantsCaddy } from '../caddy/index.ts';
import type { EdgeUrls } from '../caddy/index.ts';
import { Controller } from '../controller/index.ts';
import { createLogger } from '../log/index.ts';
import type { Logger } from '../log/index.ts';
import type { LogConsole } from '../process/index.ts';
import { templatesOf } from '../spec/index.ts';
import type { SecretEnv, ServiceSpec } from '../spec/index.ts';
import { dashboardRoutes } from '../ui/web/index.ts';
import { startRunEffects } from '../runs/index.ts';
import { runById, runList } from '../state/index.ts';
import { startClusterRole } from './cluster.ts';
import type { ClusterRole } from './cluster.ts';
import { startGuardian, takeCrashReport } from './guardian.ts';
import { SnapshotSaver } from './snapshot-saver.ts';
import { startNodeRuns } from './runs.ts';
import type { NodeRuns } from './runs.ts';
import { PreparedProject, prepareProject, registerProject } from './register-project.ts';
import { applyProject, applyRequestOf } from './apply-project.ts';
import type { ApplyOutcome, ApplyRequest } from './apply-project.ts';
import type { RegisterOptions, RegisterResult, SelectionOptions } from './register-project.ts';

/** Options of bootNode. */
export interface BootOptions {
  config: NestorConfig;
  /** Where prefixed service output goes (the terminal under `nestor up`). */
  console?: LogConsole;
  /** Progress lines for long steps (broker start, .dep builds). */
  onProgress?(line: string): void;
  /** The node stopped because another node asked it to (`nestor down --all`): the caller exits. */
  onRemoteShutdown?(): void;
  onError?(err: unknown): void;
  /** Calls the boot off at any step (a signal while starting): what it started is stopped, and the boot rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A running node: its bus, its controller, and how to stop it. */
export interface NodeHandle {
  config: NestorConfig;
  node: string;
  bus: Bus;
  controller: Controller;
  /** The HTTP API (REST, events, metrics, dashboard) on config.api.host/port. */
  api: ApiServer;
  /** Stream sequence at boot: everything this run published comes after it. */
  bootSeq: number;
  /** Registers a project's services (after building their .dep binaries); a raw project file is validated first. */
  register(project: PreparedProject | unknown, options?: RegisterOptions): Promise<RegisterResult>;
  /** Applies a project file's difference with what runs, without stopping the rest (`nestor apply`). */
  apply(request: ApplyRequest): Promise<ApplyOutcome>;
  /** This node's lease, scheduler of placed instances and node requests. */
  cluster: ClusterRole;
  /** The node's managed Caddy (running once a service is exposed or config.caddy.enabled). */
  caddy: CaddyEdge;
  /** The run registry (long jobs with heartbeats and commands), shared with every node through its bucket. */
  runs: NodeRuns;
  /** Stops every service (dependents first), then the controller, then the bus. */
  shutdown(reason?: string): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The node's own log in a data dir: JSON lines at config.logLevel. */
export function nodeLogPath(dataDir: string): string {
  return join(dataDir, 'nestor.log');
}

/** Boots a node: bus (embedded or external), controller, runtime info file. */
export async function bootNode(opts: BootOptions): Promise<NodeHandle> {
  const { config } = opts;
  // The terminal shows progress while someone watches; the log file keeps the same notes (and
  // the errors) for after the fact, e.g. for a detached `up` or a node that crashed.
  const logger = createLogger({ name: 'nestor', level: config.logLevel, file: nodeLogPath(config.dataDir) });
  const { log } = logger;
  // Only settings that carry no secret (nats and api credentials stay out of the file).
  const settings = { nats: { mode: config.nats.mode, store: config.nats.store }, api: { host: config.api.host, port: config.api.port } };
  log.debug({ node: config.node, projectDir: config.projectDir, dataDir: config.dataDir, ...settings }, 'booting');
  try {
    return await startNode(opts, log, logger.close);
  } catch (err) {
    if (opts.signal?.aborted === true) log.info({ reason: String(opts.signal.reason) }, 'boot called off');
    else log.error({ err }, 'boot failed');
    logger.close();
    throw err;
  }
}

async function startNode(opts: BootOptions, log: Logger, closeLog: () => void): Promise<NodeHandle> {
  const { config } = opts;
  const progress = (line: string): void => {
    log.info(line);
    opts.onProgress?.(line);
  };
  const warn = (line: string): void => {
    log.warn(line);
    opts.onProgress?.(`warning: ${line}`);
  };
  const onError = (err: unknown): void => {
    log.error({ err }, 'internal error');
    opts.onError?.(err);
  };
  progress(config.nats.mode === 'embedded' ? 'starting the embedded nats-server' : `connecting to ${config.nats.urls.join(', ')}`);
  // Broker changes become events too; the one announcing the outage is delivered once the
  // broker is back (publishes retry), so the history shows both ends of it.
  const brokerEvents = createEventFactory({ node: config.node, component: 'bus' });
  const ref: { bus?: Bus } = {};
  const announce = (status: 'connected' | 'reconnecting'): void =>
    void ref.bus?.publish(brokerEvents('orchestrator.node.broker', { node: config.node, status, url: ref.bus.natsUrl })).catch(() => {});
  const bus = await connectBus(config, {
    broker: {
      onDown: (detail) => {
        const line = `${detail}; ${config.nats.mode === 'embedded' ? 'restarting it with its store' : 'reconnecting'}`;
        log.warn(line);
        opts.onProgress?.(line);
        announce('reconnecting');
      },
      onRestarted: (pid) => {
        progress(pid > 0 ? `nats-server restarted (pid ${pid}); services stayed supervised` : 'reconnected to NATS; services stayed supervised');
        announce('connected');
      },
      onFailed: (err) => onError(new Error(`the embedded nats-server could not be restarted: ${(err as Error).message}`, { cause: err })),
      onError,
    },
    // Peers started later are normal in a cluster: say what the node waits for, as long as it does.
    onWaiting: progress,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  ref.bus = bus;
  // From here on, a crash of this process never leaves its services running unsupervised.
  const guardian = startGuardian(config.dataDir);
  let api: ApiServer | undefined;
  let controller: Controller | undefined;
  let clusterRole: ClusterRole | undefined;
  let saver: SnapshotSaver | undefined;
  let nodeRuns: NodeRuns | undefined;
  // The steps after the bus are short: a stop asked for meanwhile is honoured between them.
  const checkpoint = (): void => opts.signal?.throwIfAborted();
  const runtime: { write?: () => Promise<void> } = {};
  const edge = new CaddyEdge({
    config,
    publish: (e) => bus.publish(e),
    event: createEventFactory({ node: config.node, component: 'caddy' }),
    progress,
    warn,
    onError,
    onStarted: () => void runtime.write?.().catch(onError),
    storage: {
      restore: (dir) => restoreCaddyFiles(bus, dir, { store: config.nats.store, replicas: config.events.replicas }),
      watch: (dir, onStored) => watchCaddyData(bus, dir, onStored, { store: config.nats.store, replicas: config.events.replicas, node: config.node, onError }),
    },
  });
  try {
    checkpoint();
    const bootSeq = await bus.lastSeq();
    const events = createEventFactory({ node: config.node, component: 'node' });
    // Caddy comes before the controller: the project file (read, not yet validated) says
    // whether one is needed; a registration that needs one later starts it then.
    const rawProject = config.projectFile === null ? null : await readProjectFile(config.projectFile).then((f) => f.raw, () => null);
    if (config.caddy.enabled || projectWantsCaddy(rawProject)) {
      progress('starting caddy');
      await edge.start();
    }
    checkpoint();
    await reportCrash(bus, config, events, log, opts.onProgress);
    // Shared by this node's registrations and its controller: the secrets they mask in events.
    const secretEnv: SecretEnv = new Map();
    const started = new Controller({
      secretEnv,
      bus,
      node: config.node,
      projectDir: config.projectDir,
      dataDir: config.dataDir,
      console: opts.console,
      onError,
      onWarning: warn,
      address: config.nodeAddress,
      peerEndpoints: () => clusterRole?.scheduler.endpoints() ?? {},
    });
    controller = started;
    await started.start();
    checkpoint();
    const runs = (nodeRuns = await startNodeRuns(bus, config, onError));
    // The API is a shell of the node: it follows the stream like every view and sends commands
    // like every client. It listens before node.up so the announcement can carry its URL.
    api = await startApiServer({
      bus,
      node: config.node,
      dataDir: config.dataDir,
      api: config.api,
      runningPids: () => started.runningPids(),
      logFormat: (key) => started.logFormat(key),
      // The membership starts after the API (its lease carries the API's URL).
      members: () => clusterRole?.members() ?? null,
      mounts: [dashboardRoutes],
      runs: runs.request,
      runHeartbeats: () => runs.registry.known(),
      onError,
    });
    const server = api;
    edge.attach({
      state: () => server.live.state,
      subscribe: (fn) => server.live.subscribe(() => fn()),
      specs: () => specsOf(started),
    });
    // What run commands do to this node's processes (SIGSTOP/SIGCONT, the terminate grace period).
    const effects = startRunEffects({
      node: config.node,
      subscribe: (fn) => server.live.subscribe((item, state) => fn(item.event, { byId: (id) => runById(state.runs, id), all: () => runList(state.runs) })),
      registry: runs.registry,
      controller: started,
      log: (line) => log.info(line),
      onError,
    });
    const snapshots = (saver = new SnapshotSaver({
      bus,
      live: server.live,
      node: config.node,
      events,
      config: config.events,
      onError: (err) => log.warn({ err }, 'snapshot not saved'),
      onSaved: (outcome, throughSeq) => log.debug({ key: outcome.key, bytes: outcome.bytes, throughSeq }, 'snapshot saved'),
    }));
    snapshots.start();
    checkpoint();
    // What earlier runs of this node registered, as the stream says before this run registers
    // anything: the first registration retires those its project no longer has.
    let earlier: string[] | null = [
      ...new Set(
        Object.values(server.live.state.services)
          .filter((s) => s.registeredBy === config.node)
          .map((s) => s.service),
      ),
    ];
    // The lease comes first: a second process with this node id must be refused before it
    // announces anything (its node.up would tell every view this node's processes are gone).
    const shutdownRef: { fn?: (reason: string) => Promise<void> } = {};
    // One apply at a time (a save under --watch and a `nestor apply` may meet): each compares
    // with what the one before it registered.
    let applying: Promise<unknown> = Promise.resolve();
    const apply = (request: ApplyRequest): Promise<ApplyOutcome> => {
      // An apply is the project's registration from then on: a later first register() has nothing of earlier runs to retire.
      earlier = null;
      const next = applying.then(() => applyProject({ bus, config, controller: started, live: server.live, secretEnv, onProgress: progress }, request));
      applying = next.catch(() => {});
      return next;
    };
    const cluster = await startClusterRole({
      config,
      bus,
      controller: started,
      live: server.live,
      apiUrl: server.url,
      warn,
      progress,
      log: (line) => log.info(line),
      onError,
      onShutdownRequest: (reason) => void shutdownRef.fn?.(reason).then(() => opts.onRemoteShutdown?.()),
      onApply: async (body) => {
        const request = applyRequestOf(body);
        if (request === null) return { ok: false, message: 'apply needs {"raw": <project>, "source": "<file>"}' };
        return { ok: true, data: await apply(request) };
      },
      // Between the lease and the first placement: what this node runs from here on comes
      // after its node.up in the stream (node.up releases what an earlier life ran).
      announce: async () => {
        await bus.publish(
          events('orchestrator.node.up', {
            node: config.node,
            pid: process.pid,
            hostname: hostname(),
            version: NESTOR_VERSION,
            nats: bus.natsUrl,
            api: server.url,
            dataDir: config.dataDir,
            tags: config.nodeTags,
            address: config.nodeAddress,
          }),
        );
      },
    });
    clusterRole = cluster;
    const startedAt = new Date().toISOString();
    const caddyUrls = (): { caddy?: EdgeUrls } => {
      const urls = edge.urls();
      return urls === null ? {} : { caddy: urls };
    };
    runtime.write = () =>
      writeRuntimeInfo(config.dataDir, { node: config.node, pid: process.pid, nats: bus.natsUrl, api: server.url, dataDir: config.dataDir, startedAt, ...caddyUrls() });
    await runtime.write();
    progress(`node ${config.node} up, bus ${bus.natsUrl}, api ${server.url}, dashboard ${server.url}/status`);

    let stopped: Promise<void> | null = null;
    const shutdown = (reason = 'shutdown'): Promise<void> =>
      (stopped ??= (async () => {
        try {
          // Placed instances that may run elsewhere move before this node stops (drain), so a
          // planned stop of one node is not an outage of what it ran.
          // With `down --all` every node stops, so there is nowhere to move to.
          if (!reason.startsWith('down --all')) await cluster.drainSelf(30_000);
          await started.shutdown();
          // After the services (nothing left to route to), before the broker.
          await edge.stop(reason);
          await cluster.stop();
          await started.close();
          // Bounded: the last nodes of a cluster stopping together may have no quorum left.
          const down = await Promise.race([bus.publish(events('orchestrator.node.down', { node: config.node, reason })).catch(() => null), sleep(3_000).then(() => null)]);
          // The last snapshot includes this node's node.down, so the next start reads no tail.
          await Promise.race([snapshots.stop(down?.seq), sleep(5_000)]);
          effects.stop();
          await server.close();
          await runs.stop();
          await removeRuntimeInfo(config.dataDir, process.pid).catch(() => {});
          await bus.close();
          guardian.release();
          log.info({ reason }, `node ${config.node} down`);
        } catch (err) {
          log.error({ err }, 'shutdown failed');
          throw err;
        } finally {
          closeLog();
        }
      })());
    shutdownRef.fn = shutdown;
    return {
      config,
      node: config.node,
      bus,
      controller: started,
      api: server,
      bootSeq,
      register: async (project, options) => {
        const retire = earlier ?? [];
        earlier = null;
        // Caddy runs, with every module the routes need, before the first exposed service starts.
        const prepared = project instanceof PreparedProject ? project : prepareProject(project, options);
        edge.addTemplates(templatesOf(prepared.project.config));
        await edge.prepare(prepared.enabled.map((id) => prepared.project.services[id]).filter((s): s is ServiceSpec => s !== undefined));
        return registerProject(bus, config, prepared, { onProgress: progress, ...options, retire, secretEnv });
      },
      apply,
      shutdown,
      cluster,
      caddy: edge,
      runs,
      [Symbol.asyncDispose]: () => shutdown(),
    };
  } catch (err) {
    saver?.cancel();
    await edge.stop('boot failed').catch(() => {});
    await clusterRole?.stop({ leave: true }).catch(() => {});
    await api?.close().catch(() => {});
    await nodeRuns?.stop().catch(() => {});
    await controller?.close().catch(() => {});
    await bus.close().catch(() => {});
    guardian.release();
    throw err;
  }
}

// One spec per service the controller supervises here (replicas share theirs).
function specsOf(controller: Controller): ServiceSpec[] {
  const byId = new Map<string, ServiceSpec>();
  for (const s of Object.values(controller.snapshot().services)) if (s.enabled) byId.set(s.service, s.spec);
  return [...byId.values()];
}

/** Publishes what the guardian of a crashed previous run did, as that run's node.down. */
async function reportCrash(
  bus: BusWriter,
  config: NestorConfig,
  events: ReturnType<typeof createEventFactory>,
  log: Logger,
  onProgress?: (line: string) => void,
): Promise<void> {
  const crash = await takeCrashReport(config.dataDir);
  if (crash === null) return;
  const stopped = crash.stopped.map((s) => `${s.service} (pid ${s.pid})`).join(', ') || 'no service process';
  const line = `the previous run crashed; its guardian stopped ${stopped}`;
  // The whole report goes to the log: takeCrashReport consumed the guardian's file.
  log.warn({ crash }, line);
  onProgress?.(line);
  await bus.publish(events('orchestrator.node.down', { node: config.node, reason: `crashed; at ${crash.at} the guardian stopped ${stopped}` }));
}

export { PreparedProject, prepareProject, registerProject };
export type { RegisterOptions, RegisterResult, SelectionOptions };
export type { ApplyOutcome, ApplyRequest };
