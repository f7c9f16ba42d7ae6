// Restart on file changes (a spec's `watch` block): one file watcher per watched service with
// an enabled instance here, opened and closed as the controller's model changes. A burst of
// changes is published as orchestrator.service.watch.changed, then each instance gets a restart
// command through the controller's command path, so it is recorded like a user's restart. With
// `cascade`, the local dependents follow layer by layer, each once the layer before is ready.
import type { CommandResponse } from '../bus/index.ts';
import type { CommandVerb, EventType, PayloadOf } from '../events/index.ts';
import { dependents, startOrder } from '../spec/index.ts';
import type { ServiceSpec, WatchSpec } from '../spec/index.ts';
import type { ControllerState, Requester, Supervised } from './core/index.ts';
import { watchFiles } from './file-watch.ts';
import type { FileWatch } from './file-watch.ts';

/** Changed paths a watch.changed event lists; `count` tells how many there were in all. */
export const WATCH_FILES_LISTED = 10;

/** What the watchers need from the controller. */
export interface WatchContext {
  node: string;
  projectDir: string;
  dataDir: string;
  state(): ControllerState;
  command(verb: CommandVerb, key: string, by: Requester): Promise<CommandResponse>;
  publish<T extends EventType>(type: T, data: PayloadOf<T>): Promise<void>;
  onError(err: unknown): void;
}

interface Watched {
  /** The watch block it was opened with: a changed block reopens it. */
  shape: string;
  files: FileWatch;
}

// A cascade under way: the instances restarted last, and the dependent layers still to restart.
interface Cascade {
  waiting: Map<string, { left: boolean }>;
  layers: string[][];
}

/** Phases in which a restart has to wait: the start under way is refused a restart. */
const DEFER: ReadonlySet<Supervised['phase']> = new Set(['starting']);
/** Phases that end a cascade: the restarted service will not be ready without someone's help. */
const GIVE_UP: ReadonlySet<Supervised['phase']> = new Set(['failed', 'disabled', 'stopped', 'lost']);

/** Keeps the file watchers of a controller in line with its model. */
export class WatchSupervisor {
  private readonly watched = new Map<string, Watched>();
  private readonly deferred = new Set<string>();
  private readonly cascades = new Map<string, Cascade>();
  private readonly closing: Promise<void>[] = [];
  private scheduled = false;
  private stopped = false;
  private readonly by: Requester;

  constructor(private readonly ctx: WatchContext) {
    this.by = { node: ctx.node, component: 'watch' };
  }

  /** The model changed: opens, closes and advances watchers after the current turn. */
  changed(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      try {
        this.sync();
      } catch (err) {
        this.ctx.onError(err);
      }
    });
  }

  /** Closes every watcher and drops pending restarts; nothing restarts after this. */
  stop(): void {
    this.stopped = true;
    for (const id of [...this.watched.keys()]) this.unwatch(id);
    this.deferred.clear();
    this.cascades.clear();
  }

  /** Stops, and resolves once every watcher has released its file handles. */
  async close(): Promise<void> {
    this.stop();
    await Promise.allSettled(this.closing);
  }

  private sync(): void {
    const state = this.ctx.state();
    if (this.stopped) return;
    if (state.shutdown !== 'running') return this.stop();
    const wanted = new Map<string, WatchSpec>();
    for (const svc of Object.values(state.services)) {
      if (svc.spec.watch !== undefined && svc.enabled) wanted.set(svc.service, svc.spec.watch);
    }
    for (const [id, w] of this.watched) {
      const spec = wanted.get(id);
      if (spec === undefined || JSON.stringify(spec) !== w.shape) this.unwatch(id);
    }
    for (const [id, spec] of wanted) if (!this.watched.has(id)) this.watch(id, spec);
    for (const key of [...this.deferred]) {
      const svc = Object.hasOwn(state.services, key) ? state.services[key] : undefined;
      if (svc !== undefined && DEFER.has(svc.phase)) continue;
      this.deferred.delete(key);
      if (svc !== undefined) this.restart(svc);
    }
    for (const [id, cascade] of this.cascades) this.advance(id, cascade);
  }

  private watch(id: string, spec: WatchSpec): void {
    const files = watchFiles(spec, this.ctx, (changed) => this.onBurst(id, changed));
    this.watched.set(id, { shape: JSON.stringify(spec), files });
  }

  private unwatch(id: string): void {
    const w = this.watched.get(id);
    this.watched.delete(id);
    this.cascades.delete(id);
    if (w !== undefined) this.closing.push(w.files.close().catch(this.ctx.onError));
  }

  private onBurst(id: string, files: string[]): void {
    if (this.stopped) return;
    const instances = this.instancesOf(id).filter(eligible);
    if (instances.length === 0) return;
    const data = { service: id, files: files.slice(0, WATCH_FILES_LISTED), count: files.length };
    // Published before the restarts: the history reads "these files changed", then the commands.
    this.ctx.publish('orchestrator.service.watch.changed', data).catch(this.ctx.onError);
    const restarted = instances.map((svc) => this.restart(svc));
    const spec = instances[0]?.spec;
    if (spec?.watch?.cascade === true) {
      this.cascades.set(id, { waiting: new Map(restarted.map((key) => [key, { left: false }])), layers: this.dependentLayers(id) });
      this.changed();
    }
  }

  // Restarts one instance now, or once its start under way is over; returns its key.
  private restart(svc: Supervised): string {
    if (DEFER.has(svc.phase)) {
      this.deferred.add(svc.id);
      return svc.id;
    }
    this.ctx.command('restart', svc.id, this.by).catch(this.ctx.onError);
    return svc.id;
  }

  private advance(id: string, cascade: Cascade): void {
    const services = this.ctx.state().services;
    let waiting = false;
    for (const [key, mark] of cascade.waiting) {
      const svc = Object.hasOwn(services, key) ? services[key] : undefined;
      if (svc === undefined || !svc.enabled || !svc.wanted || GIVE_UP.has(svc.phase)) {
        this.cascades.delete(id);
        return;
      }
      // Ready again means: seen out of ready (the restart began), then back in it.
      if (svc.phase !== 'ready' && svc.phase !== 'completed') mark.left = true;
      if (this.deferred.has(key) || !mark.left || (svc.phase !== 'ready' && svc.phase !== 'completed')) waiting = true;
    }
    if (waiting) return;
    const next = cascade.layers.shift();
    if (next === undefined) {
      this.cascades.delete(id);
      return;
    }
    const keys = next.flatMap((service) => this.instancesOf(service).filter(eligible).map((svc) => this.restart(svc)));
    cascade.waiting = new Map(keys.map((key) => [key, { left: false }]));
    this.changed();
  }

  private instancesOf(service: string): Supervised[] {
    return Object.values(this.ctx.state().services).filter((svc) => svc.service === service);
  }

  // The local services that depend on `id`, directly or not, in start layers after it.
  private dependentLayers(id: string): string[][] {
    const specs: Record<string, ServiceSpec> = {};
    for (const svc of Object.values(this.ctx.state().services)) specs[svc.service] = svc.spec;
    const affected = [id, ...dependents(specs, id, { transitive: true })];
    const graph = Object.fromEntries(affected.map((s) => [s, specs[s] as ServiceSpec]));
    return startOrder(graph).filter((layer) => !layer.includes(id));
  }
}

// An instance a change restarts: enabled, not stopped by someone, and not waiting to start anyway.
function eligible(svc: Supervised): boolean {
  return svc.enabled && svc.wanted && svc.phase !== 'pending' && svc.phase !== 'lost';
}
