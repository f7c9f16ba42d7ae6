// Copy-on-write access to the controller model for one decide() call, so the rules can be
// written as plain assignments while the input state stays untouched.
import type { ControllerState, Effect, ShutdownPhase, Supervised } from './model.ts';

/** A decision in progress: a model being edited and the effects collected so far. */
export class Draft {
  readonly effects: Effect[] = [];
  private readonly copied = new Set<string>();
  private readonly services: Record<string, Supervised>;
  /** Record keys by service name, built on first use; dropped when a record is added or removed. */
  private byService: Map<string, string[]> | null = null;
  shutdown: ShutdownPhase;
  peers: ControllerState['peers'];

  constructor(state: ControllerState) {
    this.services = { ...state.services };
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
      this.services[id] = copy;
      this.copied.add(id);
      return copy;
    }
    return svc;
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
    this.services[svc.id] = svc;
    this.copied.add(svc.id);
  }

  /** Drops a service from the model. */
  remove(id: string): void {
    delete this.services[id];
    this.copied.delete(id);
    this.byService = null;
  }

  /** Queues an effect. */
  emit(...effects: Effect[]): void {
    this.effects.push(...effects);
  }

  /** The finished model. */
  state(): ControllerState {
    return { services: this.services, shutdown: this.shutdown, peers: this.peers };
  }
}
