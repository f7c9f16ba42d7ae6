// Performs the controller's spawn and signal effects for every service: ports, ensure actions,
// the process itself, its logs and its probes. Contract:
//   in:  spawn(spec, attempt) and stop(service, signal, timeoutMs) from the effect loop
//   out: every observation (ports reclaimed or in conflict, ensure done, started, start failed,
//        probe changes, ready, exited) as an input to decide(), which publishes the lifecycle
//        events; only log metadata is published directly, as it belongs to no lifecycle state
//   never: decides about restarts; reports an exit before the whole process group is gone.
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { instanceKey, instanceName, instanceRef } from '../events/index.ts';
import type { EventType, PayloadOf } from '../events/index.ts';
import {
  allocatePort,
  checkFixedPort,
  loadServiceEnv,
  openLogSink,
  processStartTime,
  reclaimPort,
  runEnsure,
  SpawnError,
  spawnService,
  startProbeLoop,
  stopGroup,
  watchLogProbe,
} from '../process/index.ts';
import type { LogConsole, LogProbeWatch, ProbeLoop, RunPlan, ServiceProcess } from '../process/index.ts';
import { MASKED_PATTERN, expand, expandSpec, isSecretName, redactSecrets } from '../spec/index.ts';
import type { PlaceholderContext, PortSpec, SecretEnv, ServiceSpec } from '../spec/index.ts';
import type { Input } from './core/index.ts';
import { MemoryWatch } from './memory-watch.ts';
import type { PidRegistry } from './pid-registry.ts';

/** Where a runner finds things and how it reports back. */
export interface RunnerContext {
  node: string;
  projectDir: string;
  dataDir: string;
  natsUrl: string;
  /** Broker credentials handed to services (NESTOR_NATS_TOKEN or _USER/_PASS) when nats.auth is on. */
  natsEnv: Record<string, string>;
  pids: PidRegistry;
  console?: LogConsole;
  /** Environment inherited by every service (normally process.env). */
  baseEnv: Record<string, string>;
  /** Real values of the secrets masked in the register events this node published. */
  secretEnv?: SecretEnv;
  dispatch(input: Input): void;
  publish<T extends EventType>(type: T, data: PayloadOf<T>): Promise<void>;
  /** Reports a failure of the runner itself (never a service's failure). */
  onError(err: unknown): void;
  /** The address other nodes reach this node's services at ({services.<id>.host}). */
  address?: string;
  /** Ports and hosts of services running on other nodes, for {services.<id>.*} placeholders. */
  peerEndpoints?(): Record<string, { ports: Record<string, number>; host: string }>;
}

interface Running {
  proc: ServiceProcess;
  probes: ProbeLoop[];
  stopping: Promise<unknown> | null;
  ports: Record<string, number>;
}

/** Runs the processes of every service of one controller. */
export class ServiceRunner {
  private readonly running = new Map<string, Running>();
  private readonly knownPorts = new Map<string, Record<string, number>>();
  private readonly identity = new Map<string, { service: string; instance: number }>();
  private readonly memory = new MemoryWatch((service, pid, limitBytes, rssBytes) =>
    this.ctx.dispatch({ kind: 'memoryExceeded', service, pid, limitBytes, rssBytes }),
  );

  constructor(private readonly ctx: RunnerContext) {}

  /** Directory holding a service's own data ({dirs.data}). */
  serviceDataDir(service: string): string {
    return join(this.ctx.dataDir, 'services', service);
  }

  /** Directory holding every service's log files ({dirs.logs}). */
  logsDir(): string {
    return join(this.ctx.dataDir, 'logs');
  }

  /**
   * Starts one attempt of an instance; every outcome comes back as an input keyed by the
   * instance's record key. Inside the runner the spec's id is that key, so each instance has
   * its own process entry, pid record, data directory and log files.
   */
  async spawn(serviceSpec: ServiceSpec, attempt: number, instance = 1): Promise<void> {
    const spec = instance === 1 ? serviceSpec : { ...serviceSpec, id: instanceKey(serviceSpec.id, instance) };
    this.identity.set(spec.id, { service: serviceSpec.id, instance });
    const fail = (reason: string, error: string, searchPath?: string | null): void =>
      this.ctx.dispatch({ kind: 'startFailed', service: spec.id, attempt, reason, error, ...(typeof searchPath === 'string' ? { searchPath } : {}) });
    try {
      await this.reclaimLeftover(spec);
      const ports = await this.resolvePorts(spec);
      if (ports === null) return fail('port-conflict', 'a fixed port is held by another process');
      // Read at every start, so an edited env file applies on the next restart.
      let fileEnv: Record<string, string>;
      let unmasked: ServiceSpec;
      try {
        fileEnv = loadServiceEnv(this.ctx.projectDir, serviceSpec.id, spec.envFile, this.ctx.baseEnv);
        unmasked = this.withSecrets(spec, serviceSpec.id);
      } catch (err) {
        return fail('env', (err as Error).message);
      }
      const placeholders = this.placeholderContext(spec, ports, fileEnv);
      let expanded: ServiceSpec;
      try {
        expanded = expandSpec(unmasked, placeholders);
      } catch (err) {
        return fail('placeholder', (err as Error).message);
      }
      const plan = this.planFor(expanded, ports, fileEnv);
      mkdirSync(this.serviceDataDir(spec.id), { recursive: true });
      try {
        const done = await runEnsure(plan.ensure, {
          allowedRoots: plan.allowedRoots,
          templateDir: this.ctx.projectDir,
          render: (text: string) => expand(text, placeholders),
        });
        this.ctx.dispatch({ kind: 'ensured', service: spec.id, actions: done });
      } catch (err) {
        return fail('ensure', (err as Error).message);
      }
      await this.launch(expanded, plan, attempt);
    } catch (err) {
      fail('spawn', (err as Error).message, err instanceof SpawnError ? err.searchPath : null);
    }
  }

  private async launch(spec: ServiceSpec, plan: RunPlan, attempt: number): Promise<void> {
    const sink = await openLogSink({
      service: spec.id,
      dir: plan.logs.dir,
      maxBytes: plan.logs.maxBytes,
      keep: plan.logs.keep,
      console: this.ctx.console,
      metadataIntervalMs: plan.logs.metadataIntervalMs,
      ...(plan.logs.retentionMs === undefined ? {} : { retentionMs: plan.logs.retentionMs }),
      onMetadata: (meta) => void this.ctx.publish('orchestrator.service.log', { ...this.refOf(spec.id), ...meta }).catch(this.ctx.onError),
    });
    // Watching from spawn on: the line can come before the start is reported.
    const logProbe = plan.readiness?.type === 'log' ? watchLogProbe(plan.readiness) : null;
    let proc: ServiceProcess;
    try {
      proc = await spawnService(plan, {
        onOutput:
          logProbe === null
            ? (stream, chunk) => sink.write(stream, chunk)
            : (stream, chunk) => {
                sink.write(stream, chunk);
                logProbe.feed(stream, chunk);
              },
        // Recorded before any await: if this process dies now, the guardian still finds it.
        onPid: (pid) => this.ctx.pids.record(spec.id, { pid, startTime: processStartTime(pid), ports: plan.ports }),
      });
    } catch (err) {
      logProbe?.stop();
      sink.close();
      throw err;
    }
    const entry: Running = { proc, probes: [], stopping: null, ports: plan.ports };
    this.running.set(spec.id, entry);
    this.knownPorts.set(spec.id, plan.ports);
    this.ctx.dispatch({
      kind: 'started',
      service: spec.id,
      pid: proc.pid,
      attempt,
      ports: plan.ports,
      command: plan.command,
      // The start event is public: a secret placed in an argument ({env.API_TOKEN}) is masked there.
      args: redactSecrets(plan.args, plan.env),
    });
    this.watchProbes(spec, plan, entry, logProbe);
    if (spec.limits?.memoryBytes !== undefined) this.memory.add(spec.id, proc.pid, spec.limits.memoryBytes);
    void this.watchExit(spec, entry, sink.close.bind(sink));
  }

  private watchProbes(spec: ServiceSpec, plan: RunPlan, entry: Running, logProbe: LogProbeWatch | null): void {
    const startedAt = performance.now();
    const probeEnv = { env: plan.env, cwd: plan.cwd };
    // Liveness is judged only once the service has been ready: a slow start is readiness's
    // business, and counting its failures as liveness failures would kill every slow starter.
    const startLiveness = (): void => {
      if (plan.liveness === undefined || entry.stopping !== null) return;
      entry.probes.push(
        startProbeLoop(plan.liveness, {
          ...probeEnv,
          onError: this.ctx.onError,
          onChange: (status, result, failures) => this.reportHealth(spec.id, entry.proc.pid, 'liveness', status, failures, result),
        }),
      );
    };
    if (plan.readiness === undefined) return startLiveness();
    const probe = plan.readiness;
    if (logProbe !== null) return this.watchLogReadiness(spec, plan, entry, logProbe, startedAt, startLiveness);
    let announced = false;
    entry.probes.push(
      startProbeLoop(probe, {
        ...probeEnv,
        onError: this.ctx.onError,
        onChange: (status, result, failures) => {
          this.reportHealth(spec.id, entry.proc.pid, 'readiness', status, failures, result);
          if (status === 'passing' && !announced) {
            announced = true;
            const elapsedMs = Math.round(performance.now() - startedAt);
            this.ctx.dispatch({ kind: 'ready', service: spec.id, pid: entry.proc.pid, ports: plan.ports, elapsedMs, probe: probe.type });
            startLiveness();
          }
        },
      }),
    );
  }

  private watchLogReadiness(spec: ServiceSpec, plan: RunPlan, entry: Running, watch: LogProbeWatch, startedAt: number, then: () => void): void {
    entry.probes.push(watch);
    const pid = entry.proc.pid;
    const health = (status: 'passing' | 'failing', detail: string): void =>
      this.ctx.dispatch({ kind: 'health', service: spec.id, pid, probe: 'readiness', status, consecutiveFailures: status === 'passing' ? 0 : 1, latencyMs: null, detail });
    watch.attach({
      onMatch: (line) => {
        health('passing', line);
        const elapsedMs = Math.round(performance.now() - startedAt);
        this.ctx.dispatch({ kind: 'ready', service: spec.id, pid, ports: plan.ports, elapsedMs, probe: 'log', line });
        then();
      },
      onTimeout: (elapsedMs) => health('failing', `no output line matched /${plan.readiness?.pattern ?? ''}/ within ${elapsedMs}ms`),
    });
  }

  private reportHealth(
    service: string,
    pid: number,
    probe: 'readiness' | 'liveness',
    status: 'passing' | 'failing',
    consecutiveFailures: number,
    result: { latencyMs: number; detail: string },
  ): void {
    this.ctx.dispatch({
      kind: 'health',
      service,
      pid,
      probe,
      status,
      consecutiveFailures,
      latencyMs: Math.round(result.latencyMs * 100) / 100,
      detail: result.detail,
    });
  }

  private async watchExit(spec: ServiceSpec, entry: Running, closeLog: () => void): Promise<void> {
    const exit = await entry.proc.exited;
    for (const probe of entry.probes) probe.stop();
    this.memory.remove(spec.id, entry.proc.pid);
    // The leader is gone; whatever it forked must go too before the exit is reported, so a
    // restart never overlaps with leftovers of the previous attempt.
    if (entry.stopping !== null) await entry.stopping;
    if (entry.proc.isGroupAlive()) await entry.proc.stop(spec.process.stopSignal as NodeJS.Signals, spec.process.stopTimeoutMs);
    closeLog();
    this.running.delete(spec.id);
    this.ctx.pids.clear(spec.id, entry.proc.pid);
    this.ctx.dispatch({
      kind: 'exited',
      service: spec.id,
      pid: entry.proc.pid,
      code: exit.code,
      signal: exit.signal,
      runtimeMs: Math.max(0, Date.now() - entry.proc.startedAt.getTime()),
    });
  }

  /** Stops a service's process group; the exit comes back through watchExit. */
  stop(service: string, signal: string, timeoutMs: number): void {
    const entry = this.running.get(service);
    if (entry === undefined || entry.stopping !== null) return;
    entry.stopping = entry.proc.stop(signal as NodeJS.Signals, timeoutMs).catch(this.ctx.onError);
  }

  /** Pids of every running service process. */
  pids(): Record<string, number> {
    return Object.fromEntries([...this.running].map(([id, r]) => [id, r.proc.pid]));
  }

  /** Stops a process this data dir started in an earlier run, if it is still alive. */
  private async reclaimLeftover(spec: ServiceSpec): Promise<void> {
    const rec = this.ctx.pids.get(spec.id);
    if (rec === undefined || this.running.has(spec.id)) return;
    const alive = rec.startTime !== null && processStartTime(rec.pid) === rec.startTime;
    if (alive) {
      await stopGroup(rec.pid, spec.process.stopSignal as NodeJS.Signals, spec.process.stopTimeoutMs);
      for (const [portName, port] of Object.entries(rec.ports)) {
        this.ctx.dispatch({ kind: 'portReclaimed', service: spec.id, portName, port, pid: rec.pid });
      }
    }
    this.ctx.pids.clear(spec.id, rec.pid);
  }

  /** Actual ports for this start, or null after publishing a conflict. */
  private async resolvePorts(spec: ServiceSpec): Promise<Record<string, number> | null> {
    const all: PortSpec[] = [...(spec.ports.primary ? [{ ...spec.ports.primary, name: 'primary' }] : []), ...spec.ports.additional];
    const ports: Record<string, number> = {};
    for (const p of all) {
      if (spec.portStrategy === 'random' || p.port === 0) {
        ports[p.name] = await allocatePort();
        continue;
      }
      const status = await checkFixedPort(p.port, { knownPids: this.ctx.pids.pids() });
      if (status.status === 'stale') {
        await reclaimPort(status.pid, { port: p.port, timeoutMs: spec.process.stopTimeoutMs });
        this.ctx.dispatch({ kind: 'portReclaimed', service: spec.id, portName: p.name, port: p.port, pid: status.pid });
      } else if (status.status === 'conflict') {
        this.ctx.dispatch({
          kind: 'portConflict',
          service: spec.id,
          portName: p.name,
          port: p.port,
          ownerPid: status.ownerPid,
          ownerCommand: status.ownerCommand,
        });
        return null;
      }
      ports[p.name] = p.port;
    }
    return ports;
  }

  private refOf(key: string): { service: string; instance?: number } {
    const who = this.identity.get(key);
    return who === undefined ? { service: key } : instanceRef(who.service, who.instance);
  }

  // Register events carry secret-looking env values masked; the real ones are only in this
  // node's memory, from the registration it published itself.
  private withSecrets(spec: ServiceSpec, service: string): ServiceSpec {
    const real = this.ctx.secretEnv?.get(service) ?? {};
    const env = { ...spec.process.env };
    for (const [k, v] of Object.entries(env)) {
      if (Object.hasOwn(real, k)) env[k] = real[k] as string;
      else if (isSecretName(k) && MASKED_PATTERN.test(v)) {
        throw new Error(
          `services.${service}.process.env.${k} is masked in its registration and its value stays on the node that registered it; give it to this node in an envFile`,
        );
      }
    }
    return { ...spec, process: { ...spec.process, env } };
  }

  private placeholderContext(spec: ServiceSpec, ports: Record<string, number>, env: Record<string, string>): PlaceholderContext {
    // Instances on other nodes first, so what runs here wins for a service that runs in both places.
    const services: Record<string, { ports: Record<string, number>; host?: string }> = { ...(this.ctx.peerEndpoints?.() ?? {}) };
    for (const [key, known] of this.knownPorts) {
      const service = this.identity.get(key)?.service ?? key;
      if (key === service || !Object.hasOwn(services, service)) services[service] = { ports: known, host: this.ctx.address ?? '127.0.0.1' };
    }
    return {
      ports,
      dirs: {
        data: this.serviceDataDir(spec.id),
        logs: this.logsDir(),
        project: this.ctx.projectDir,
        depBin: join(this.ctx.projectDir, '.dep', 'bin'),
      },
      env,
      services,
      serviceId: this.identity.get(spec.id)?.service ?? spec.id,
      nodeId: this.ctx.node,
    };
  }

  private planFor(spec: ServiceSpec, ports: Record<string, number>, fileEnv: Record<string, string>): RunPlan {
    const who = this.identity.get(spec.id) ?? { service: spec.id, instance: 1 };
    // Precedence (docs/spec.md): Nestor's environment < .env < envFile < process.env < NESTOR_*.
    const env: Record<string, string> = {
      ...fileEnv,
      ...spec.process.env,
      NESTOR_SERVICE: who.service,
      NESTOR_INSTANCE: instanceName(who.service, who.instance),
      NESTOR_NODE: this.ctx.node,
      NESTOR_DATA_DIR: this.serviceDataDir(spec.id),
      NESTOR_NATS_URL: this.ctx.natsUrl,
      ...this.ctx.natsEnv,
    };
    for (const [name, port] of Object.entries(ports)) {
      env[name === 'primary' ? 'NESTOR_PORT' : `NESTOR_PORT_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = String(port);
    }
    const wd = spec.process.workingDir;
    return {
      service: spec.id,
      command: spec.process.command,
      args: spec.process.args,
      env,
      cwd: wd === undefined ? this.ctx.projectDir : isAbsolute(wd) ? wd : resolve(this.ctx.projectDir, wd),
      shell: spec.process.shell,
      ensure: spec.process.ensure,
      allowedRoots: [this.ctx.projectDir, this.ctx.dataDir],
      ports,
      readiness: spec.health,
      liveness: spec.liveness,
      stopSignal: spec.process.stopSignal as NodeJS.Signals,
      stopTimeoutMs: spec.process.stopTimeoutMs,
      logs: { dir: this.logsDir(), maxBytes: spec.logging.maxBytes, keep: spec.logging.keep, metadataIntervalMs: spec.logging.metadataIntervalMs, ...(spec.logging.retentionMs === undefined ? {} : { retentionMs: spec.logging.retentionMs }) },
    };
  }
}
