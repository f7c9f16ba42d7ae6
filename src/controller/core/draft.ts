// Copy-on-write access to the controller model for one decide() call, so the rules can be
// written as plain assignments while the input state stays untouched.
import type { ControllerState, Effect, ShutdownPhase, Supervised } from './model.ts';

// Record keys by service name, kept with the services map they describe: ids and service names
// never change under a key, so the index of one decision's map serves the next decision while
// no record is added or removed (rebuilding it per decision was a scan of every record).
const indexes = new WeakMap<Record<string, Supervised>, Map<string, string[]>>();

/** A decision in progress: a model being edited and the effects collected so far. */
export class Draft {
  readonly effects: Effect[] = [];
  private readonly copied = new Set<string>();
  private services: Record<string, Supervised>;
  /** Whether services is this draft's own copy yet: the map is copied on the first write only. */
  private owned = false;
  /** Record keys by service name, built on first use; dropped when a record is added or removed. */
  private byService: Map<string, string[]> | null = null;
  shutdown: ShutdownPhase;
  peers: ControllerState['peers'];

  /** With `handOver`, the state's services map is this draft's to edit in place. */
  constructor(state: ControllerState, handOver = false) {
    // Not copied yet: with hundreds of services a copy of the map per decision was a large
    // share of a start, and many decisions (an input for a process no longer current, a shutdown
    // step waiting for exits) change no record.
    this.services = state.services;
    this.owned = handOver;
    this.byService = indexes.get(state.services) ?? null;
    this.shutdown = state.shutdown;
    this.peers = state.peers;
  }

  /** The service, copied on first access so it may be edited; undefined when unknown. */
  get(id: string): Supervised | undefined {
    // Own properties only: ids such as "constructor" are valid service ids.
    if (!Object.hasOwn(this.services, id)) return undefined;
    const svc = this.services[id] as Supervised;
    if (!this.copied.has(id)) {
      const copy = { ...svc };
      this.own()[id] = copy;
      this.copied.add(id);
      return copy;
    }
    return svc;
  }

  /** The service as it is, for reading only (not copied); undefined when unknown. */
  peek(id: string): Supervised | undefined {
    return Object.hasOwn(this.services, id) ? this.services[id] : undefined;
  }

  /** Read-only view of every service (not copied). */
  all(): Supervised[] {
    return Object.values(this.services);
  }

  /** Read-only view of the instances of one service (not copied), without scanning every record. */
  instancesOf(service: string): Supervised[] {
    if (this.byService === null) {
      this.byService = new Map();
      for (const svc of Object.values(this.services)) {
        const ids = this.byService.get(svc.service);
        if (ids === undefined) this.byService.set(svc.service, [svc.id]);
        else ids.push(svc.id);
      }
    }
    // Looked up by key each time: get() replaces a record with its copy.
    return (this.byService.get(service) ?? []).map((id) => this.services[id] as Supervised);
  }

  /** Adds or replaces a service. */
  put(svc: Supervised): void {
    if (!Object.hasOwn(this.services, svc.id)) this.byService = null;
    this.own()[svc.id] = svc;
    this.copied.add(svc.id);
  }

  /** Drops a service from the model. */
  remove(id: string): void {
    delete this.own()[id];
    this.copied.delete(id);
    this.byService = null;
  }

  private own(): Record<string, Supervised> {
    if (!this.owned) {
      this.services = { ...this.services };
      this.owned = true;
    }
    return this.services;
  }

  /** Queues an effect. */
  emit(...effects: Effect[]): void {
    this.effects.push(...effects);
  }

  /** The finished model. */
  state(): ControllerState {
    if (this.byService !== null) indexes.set(this.services, this.byService);
    // An index left from before an in-place edit that added or removed a record is stale.
    else indexes.delete(this.services);
    return { services: this.services, shutdown: this.shutdown, peers: this.peers };
  }
}
