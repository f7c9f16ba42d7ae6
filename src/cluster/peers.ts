// Dependencies across nodes: what the instances on other nodes are doing (the controller's
// `peers` input, which its dependency checks read) and where they listen (the
// {services.<id>.host} and {services.<id>.ports.*} placeholders). An instance here whose spec
// names a service by placeholder is restarted when that service's address changes (it moved),
// since its arguments or environment still name the old one.
import type { Controller } from '../controller/index.ts';
import type { State } from '../state/index.ts';
import { referencedServices } from './references.ts';

/** Where a service on another node listens. */
export interface PeerEndpoint {
  ports: Record<string, number>;
  host: string;
}

/** Follows the live state for the services this node does not run. */
export class PeerTracker {
  private current: Record<string, PeerEndpoint> = {};
  private readonly lastEndpoint = new Map<string, string>();
  private phasesKey = '';

  constructor(
    private readonly node: string,
    private readonly controller: Controller,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Where other nodes' services listen (the first ready instance of each). */
  endpoints(): Record<string, PeerEndpoint> {
    return this.current;
  }

  /** Reads a new live state: tells the controller of phase changes, and follows moved services. */
  update(state: State): void {
    const phases: Record<string, State['services'][string]['state'][]> = {};
    const endpoints: Record<string, PeerEndpoint> = {};
    const sorted = Object.values(state.services).sort((a, b) => a.instance - b.instance);
    for (const s of sorted) {
      if (s.node === this.node || s.node === '') continue;
      (phases[s.service] ??= []).push(s.state);
      if (s.state === 'ready' && !Object.hasOwn(endpoints, s.service)) {
        endpoints[s.service] = { ports: s.ports, host: state.nodes[s.node]?.address || '127.0.0.1' };
      }
    }
    this.current = endpoints;
    // Compared with the last address known, not the last state: a service that moves is
    // unready in between, and its new address must still count as a change.
    for (const [service, now] of Object.entries(endpoints)) {
      const key = JSON.stringify(now);
      const before = this.lastEndpoint.get(service);
      this.lastEndpoint.set(service, key);
      if (before !== undefined && before !== key) this.follow(service, now);
    }
    const key = JSON.stringify(phases);
    if (key === this.phasesKey) return;
    this.phasesKey = key;
    this.controller.dispatch({ kind: 'peers', phases });
  }

  private follow(service: string, to: PeerEndpoint): void {
    for (const svc of Object.values(this.controller.snapshot().services)) {
      if (!referencedServices(svc.spec).has(service)) continue;
      const where = `${to.host}:${Object.values(to.ports).join(',')}`;
      if (svc.phase !== 'ready' && svc.phase !== 'running') {
        // Not running: its next start renders the new address anyway.
        this.log(`scheduler: ${service} now listens on ${where}; ${svc.id} is ${svc.phase} and picks it up when it starts`);
        continue;
      }
      this.log(`scheduler: restart ${svc.id} to follow ${service} to ${where}`);
      void this.controller
        .command('restart', svc.id, { node: this.node, component: 'scheduler' })
        .then((reply) => (reply.ok ? undefined : this.log(`scheduler: restart of ${svc.id} refused: ${reply.message}`)));
    }
  }
}
