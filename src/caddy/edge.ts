// The node's managed Caddy: started when a service is exposed (or config.caddy.enabled), fed a
// new config whenever the node's reduced state changes what it should route (an instance became
// ready, moved, changed port or stopped), restarted if it dies or stops answering on its admin
// port, and stopped after the services and before the broker. Contract:
//   in:  the node's config, its live state, the specs its controller supervises
//   out: caddy.started / config.applied / exited / stopped events; the ports for `nestor info`
//   never: a config without the admin block (a /load without it moves the admin API to :2019).
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NestorConfig } from '../config/index.ts';
import type { EventFactory } from '../bus/index.ts';
import type { NestorEvent } from '../events/index.ts';
import type { ServiceSpec } from '../spec/index.ts';
import { getNode } from '../state/index.ts';
import type { State } from '../state/index.ts';
import { adminGet, adminLoad } from './admin.ts';
import { CaddyModuleMissingError, caddyModules, findCaddy } from './binary.ts';
import { buildEdgeConfig } from './config.ts';
import type { EdgeConfig, EdgeInstance } from './config.ts';
import { caddyDirs, launchCaddy } from './process.ts';
import type { CaddyPorts, CaddyProcess } from './process.ts';

/** What the edge reads and where it reports. */
export interface EdgeOptions {
  config: NestorConfig;
  publish(event: NestorEvent): Promise<unknown>;
  event: EventFactory;
  progress(line: string): void;
  warn(line: string): void;
  onError(err: unknown): void;
  /** Quiet time after a state change before the config is rebuilt. */
  debounceMs?: number;
  /** Caddy (re)started: its URLs changed for `nestor info`. */
  onStarted?(urls: EdgeUrls): void;
  /** Where Caddy's certificates and CA are kept between nodes (JetStream); absent: on this node's disk only. */
  storage?: EdgeStorage;
}

/** Copies of Caddy's certificates, CA and ACME accounts shared by every node. */
export interface EdgeStorage {
  /** Writes the stored files into Caddy's data dir; their names. */
  restore(caddyDataDir: string): Promise<{ names: string[] }>;
  /** Stores the data dir's files now and whenever Caddy writes there. */
  watch(caddyDataDir: string, onStored: (names: string[]) => void): Promise<{ close(): Promise<void> }>;
}

/** The state and specs the edge follows, available once the controller and the API run. */
export interface EdgeSources {
  state(): State;
  subscribe(listener: () => void): () => void;
  specs(): ServiceSpec[];
}

/** URLs of a running Caddy, as `nestor info` shows them. */
export interface EdgeUrls {
  http: string;
  https: string;
  admin: string;
}

/** True when a project asks for Caddy: an enabled service with caddy.expose, or config.caddy.enabled. */
export function wantsCaddy(config: NestorConfig, specs: readonly ServiceSpec[]): boolean {
  return config.caddy.enabled || specs.some((s) => s.caddy?.expose === true);
}

/** True when a project file's raw content exposes a service or enables Caddy (read before anything is validated, to start Caddy before the controller). */
export function projectWantsCaddy(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null) return false;
  const { services, config } = raw as { services?: unknown; config?: { caddy?: { enabled?: unknown } } };
  if (config?.caddy?.enabled === true) return true;
  if (typeof services !== 'object' || services === null) return false;
  return Object.values(services).some((s) => (s as { caddy?: { expose?: unknown } } | null)?.caddy?.expose === true);
}

/** The node's Caddy and the config it serves. */
export class CaddyEdge {
  #proc: CaddyProcess | null = null;
  #binary: string | null = null;
  #ports: CaddyPorts | null = null;
  #sources: EdgeSources | null = null;
  #unsubscribe: (() => void) | null = null;
  #templates: Record<string, unknown> = {};
  #loaded = '';
  #timer: NodeJS.Timeout | null = null;
  #pushing: Promise<void> = Promise.resolve();
  #stopping = false;
  #starting: Promise<void> | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  #certWatch: Promise<{ close(): Promise<void> }> | null = null;
  #warned = '';

  constructor(private readonly opts: EdgeOptions) {
    this.#templates = { ...opts.config.caddy.templates };
  }

  /** The running Caddy's ports, or null. */
  ports(): CaddyPorts | null {
    return this.#proc === null ? null : this.#ports;
  }

  /** URLs of the running Caddy, or null. */
  urls(): EdgeUrls | null {
    const p = this.ports();
    return p === null ? null : { http: `http://127.0.0.1:${p.http}`, https: `https://127.0.0.1:${p.https}`, admin: `http://127.0.0.1:${p.admin}` };
  }

  /** Follows the live state and the controller's specs from now on. */
  attach(sources: EdgeSources): void {
    this.#sources = sources;
    this.#unsubscribe = sources.subscribe(() => this.schedule());
    this.schedule();
  }

  /** Templates of a registered project's config block join those of the node's settings. */
  addTemplates(templates: Readonly<Record<string, unknown>>): void {
    this.#templates = { ...this.#templates, ...templates };
  }

  /**
   * Before specs are registered: starts Caddy if they need it and checks that the binary has
   * every module their routes use (CaddyModuleMissingError names each missing one).
   */
  async prepare(specs: readonly ServiceSpec[]): Promise<void> {
    if (!wantsCaddy(this.opts.config, specs)) return;
    await this.start();
    const built = this.build(specs, []);
    await this.checkModules(built);
  }

  /** Starts Caddy (once); throws CaddyNotFoundError or CaddyStartError. */
  start(): Promise<void> {
    this.#starting ??= this.launch().catch((err: unknown) => {
      this.#starting = null;
      throw err;
    });
    return this.#starting;
  }

  private async launch(): Promise<void> {
    this.#binary = await findCaddy(this.opts.config.caddy.binary);
    const c = this.opts.config.caddy;
    const dir = join(this.opts.config.dataDir, 'caddy');
    await this.restoreCertificates(join(caddyDirs(dir).data, 'caddy'));
    const proc = await launchCaddy({
      binary: this.#binary,
      dir,
      ports: this.#ports ?? { http: c.httpPort, https: c.httpsPort, admin: c.adminPort },
      config: (ports) => {
        this.#ports = ports;
        return this.build(this.#sources?.specs() ?? [], this.instances()).json;
      },
    });
    this.#proc = proc;
    this.#loaded = '';
    await this.opts.publish(this.opts.event('orchestrator.caddy.started', { node: this.opts.config.node, pid: proc.pid, ...proc.ports })).catch(this.opts.onError);
    this.opts.progress(`caddy running (pid ${proc.pid}): http :${proc.ports.http}, https :${proc.ports.https}, admin 127.0.0.1:${proc.ports.admin}`);
    const urls = this.urls();
    if (urls !== null) this.opts.onStarted?.(urls);
    void this.supervise(proc);
    this.#watchdog ??= setInterval(() => void this.checkAdmin(), 5_000);
    this.#watchdog.unref();
    this.schedule();
  }

  // Before Caddy starts, so it serves the certificates (and signs with the CA) every other node
  // has instead of making its own; then every file it writes is stored for the others.
  private async restoreCertificates(caddyData: string): Promise<void> {
    const storage = this.opts.storage;
    if (storage === undefined) return;
    const node = this.opts.config.node;
    try {
      const { names } = await storage.restore(caddyData);
      if (names.length > 0) {
        await this.opts.publish(this.opts.event('orchestrator.caddy.cert.restored', { node, names: names.slice(0, 50), count: names.length })).catch(this.opts.onError);
        this.opts.progress(`caddy: ${names.length} certificate file(s) restored from the bus`);
      }
    } catch (err) {
      this.opts.onError(err);
    }
    this.#certWatch ??= storage.watch(caddyData, (stored) => {
      if (stored.length === 0) return;
      void this.opts.publish(this.opts.event('orchestrator.caddy.cert.stored', { node, names: stored.slice(0, 50), count: stored.length })).catch(this.opts.onError);
    });
    this.#certWatch.catch((err: unknown) => {
      this.#certWatch = null;
      this.opts.onError(err);
    });
  }

  // A Caddy that exits on its own is started again on the same ports with the current config.
  private async supervise(proc: CaddyProcess): Promise<void> {
    const exit = await proc.exited;
    if (this.#stopping || this.#proc !== proc) return;
    this.#proc = null;
    this.#starting = null;
    for (let attempt = 1; attempt <= 5 && !this.#stopping; attempt++) {
      await this.opts
        .publish(this.opts.event('orchestrator.caddy.exited', { node: this.opts.config.node, pid: proc.pid, code: exit.code, signal: exit.signal, restarting: true }))
        .catch(this.opts.onError);
      this.opts.warn(`caddy (pid ${proc.pid}) exited with ${exit.signal ?? `code ${exit.code}`}; restarting it`);
      try {
        await this.start();
        return;
      } catch (err) {
        this.opts.onError(err);
        await sleep(Math.min(2_000, 100 * 2 ** attempt));
      }
    }
  }

  // An admin API that stops answering is a stuck Caddy: killing it lets supervise() restart it.
  #misses = 0;
  private async checkAdmin(): Promise<void> {
    const proc = this.#proc;
    if (proc === null || this.#stopping) return;
    const ok = await adminGet(proc.ports.admin, '/config/apps/http/servers/http/listen').then(
      () => true,
      () => false,
    );
    this.#misses = ok ? 0 : this.#misses + 1;
    if (this.#misses >= 3) {
      this.#misses = 0;
      this.opts.warn(`caddy's admin API on 127.0.0.1:${proc.ports.admin} stopped answering; restarting caddy`);
      process.kill(proc.pid, 'SIGKILL');
    }
  }

  /** Rebuilds the config soon (state changes come in bursts: one push per burst). */
  schedule(): void {
    if (this.#timer !== null || this.#stopping) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#pushing = this.#pushing.then(() => this.push()).catch(this.opts.onError);
    }, this.opts.debounceMs ?? 20);
  }

  /** Waits for the pushes scheduled so far. */
  async settled(): Promise<void> {
    while (this.#timer !== null) await sleep(5);
    await this.#pushing;
  }

  private async push(): Promise<void> {
    const specs = this.#sources?.specs() ?? [];
    if (this.#proc === null) {
      if (this.#stopping || this.#starting !== null || !wantsCaddy(this.opts.config, specs)) return;
      await this.start();
      return;
    }
    const built = this.build(specs, this.instances());
    const text = JSON.stringify(built.json);
    if (text === this.#loaded) return;
    try {
      await this.checkModules(built);
    } catch (err) {
      // The running config stays; the message is repeated only when it changes.
      if ((err as Error).message !== this.#warned) this.opts.warn((err as Error).message);
      this.#warned = (err as Error).message;
      return;
    }
    for (const p of built.problems) this.opts.warn(`${p.path}: ${p.message}`);
    const proc = this.#proc;
    try {
      await adminLoad(proc.ports.admin, built.json);
    } catch (err) {
      // Tried again shortly (a Caddy that died meanwhile is restarted with the current config).
      setTimeout(() => this.schedule(), 200).unref();
      throw err;
    }
    this.#loaded = text;
    await this.opts
      .publish(
        this.opts.event('orchestrator.caddy.config.applied', {
          node: this.opts.config.node,
          routes: built.table.length,
          upstreams: built.upstreamCount,
          table: built.table,
        }),
      )
      .catch(this.opts.onError);
  }

  private build(specs: readonly ServiceSpec[], instances: EdgeInstance[]): EdgeConfig {
    const ports = this.#ports ?? { http: 0, https: 0, admin: 0 };
    return buildEdgeConfig({ node: this.opts.config.node, tags: this.opts.config.nodeTags, ports, specs, templates: this.#templates, instances });
  }

  private async checkModules(built: EdgeConfig): Promise<void> {
    if (this.#binary === null) return;
    const have = await caddyModules(this.#binary);
    const missing = built.modules.filter((m) => !have.has(m.module));
    if (missing.length > 0) throw new CaddyModuleMissingError(this.#binary, missing);
  }

  // Ready instances on every node: this node's at loopback, the others' at their address.
  private instances(): EdgeInstance[] {
    const state = this.#sources?.state();
    if (state === undefined) return [];
    const out: EdgeInstance[] = [];
    for (const s of Object.values(state.services)) {
      if (s.state !== 'ready' || s.node === '') continue;
      const host = s.node === this.opts.config.node ? '127.0.0.1' : (getNode(state, s.node)?.address ?? '');
      if (host !== '') out.push({ service: s.service, id: s.id, host, ports: s.ports });
    }
    return out;
  }

  /** Stops following the state and stops Caddy (idempotent). */
  async stop(reason = 'shutdown'): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#unsubscribe?.();
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#watchdog !== null) clearInterval(this.#watchdog);
    await this.#pushing.catch(() => {});
    await this.#starting?.catch(() => {});
    const proc = this.#proc;
    // After Caddy is gone, so what it wrote last is stored too.
    const closeCerts = async (): Promise<void> => {
      await (await this.#certWatch?.catch(() => null))?.close().catch(this.opts.onError);
    };
    if (proc === null) return closeCerts();
    await proc.stop();
    this.#proc = null;
    await closeCerts();
    await this.opts.publish(this.opts.event('orchestrator.caddy.stopped', { node: this.opts.config.node, reason })).catch(() => {});
  }
}
