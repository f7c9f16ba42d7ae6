// Copy-on-write access to the controller model for one decide() call, so the rules can be
// written as plain assignments while the input state stays untouched.
import type { ControllerState, Effect, ShutdownPhase, Supervised } from './model.ts';

/** A decision in progress: a model being edited and the effects collected so far. */
export class Draft {
  readonly effects: Effect[] = [];
  private readonly copied = new Set<string>();
  private readonly services: Record<string, Supervised>;
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

  /** Adds or replaces a service. */
  put(svc: Supervised): void {
    this.services[svc.id] = svc;
    this.copied.add(svc.id);
  }

  /** Drops a service from the model. */
  remove(id: string): void {
    delete this.services[id];
    this.copied.delete(id);
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
