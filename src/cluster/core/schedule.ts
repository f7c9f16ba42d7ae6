// What one node does about the placed instances of the cluster, as a pure function of what it
// knows: the placed services, the membership as judged from the leases, the claims bucket, and
// what its own controller runs. Every node runs the same function on the same facts; the claims
// make their choices safe when their facts differ for a moment:
// - a node starts an instance only after it holds the instance's claim;
// - a claim changes hands only by compare-and-set: created when there is none, taken over
//   only from a node whose lease was declared expired (down) or that left, and given up (deleted)
//   by its holder only after the process group has exited.
// So two nodes never run one instance at the same time, whatever each believes about the other
// (docs/cluster.md, *Never two copies*).
import { instanceKey } from '../../events/index.ts';
import { placeInstances } from './placement.ts';
import type { Placement, PlacementDecision, PlacementNode } from './placement.ts';

/** How the membership judges a node (docs/cluster.md, *Node states*). */
export type MemberState = 'alive' | 'suspect' | 'down' | 'left';

/** A member as the scheduler needs it. */
export interface Member {
  id: string;
  state: MemberState;
  tags: readonly string[];
  draining: boolean;
}

/** A service whose spec has a placement (services without one run where they were registered). */
export interface PlacedService {
  service: string;
  replicas: number;
  placement: Placement;
  registeredBy: string;
}

/** The claim of one instance: the node that may run it, and the revision to compare-and-set against. */
export interface Claim {
  node: string;
  revision: number;
}

/** Everything schedule() looks at. */
export interface ScheduleInput {
  me: string;
  services: readonly PlacedService[];
  members: readonly Member[];
  /** Claims by instance name (`<service>@<n>`). */
  claims: Readonly<Record<string, Claim>>;
  /** Instance names this node's controller supervises now. */
  running: ReadonlySet<string>;
  /** Instance names being stopped to give them up. */
  releasing: ReadonlySet<string>;
  /** This node could not renew its lease in time: it runs no movable instance and claims nothing. */
  fenced: boolean;
}

/** One thing for the node's shell to do. */
export type ScheduleAction =
  /** Take the claim (create it when `revision` is null, else compare-and-set over a departed holder's). */
  | { kind: 'claim'; name: string; service: string; instance: number; revision: number | null; previous: string | null; reason: string }
  /** The claim is ours: make sure the controller runs the instance. */
  | { kind: 'run'; name: string; service: string; instance: number }
  /** Stop the instance here; its claim is deleted once its process group is gone. */
  | { kind: 'release'; name: string; key: string; retire: boolean; reason: string }
  /** A claim of ours for an instance we do not run and should not: give it back. */
  | { kind: 'unclaim'; name: string; revision: number }
  /** The instance can run nowhere now: say so (only the coordinator reports, so once per change). */
  | { kind: 'report'; name: string; service: string; instance: number; decision: Exclude<PlacementDecision, { kind: 'placed' }> };

const LIVE: ReadonlySet<MemberState> = new Set(['alive', 'suspect']);
const GONE: ReadonlySet<MemberState> = new Set(['down', 'left']);

/** The node that reports what cannot be placed: the live member with the smallest id. */
export function coordinator(members: readonly Member[]): string | null {
  let best: string | null = null;
  for (const m of members) if (LIVE.has(m.state) && (best === null || m.id < best)) best = m.id;
  return best;
}

/** Decides this node's actions for every placed instance. */
export function schedule(input: ScheduleInput): ScheduleAction[] {
  const byId = new Map(input.members.map((m) => [m.id, m]));
  const holderOf = (name: string): string | null => {
    const claim = input.claims[name];
    if (claim === undefined) return null;
    const member = byId.get(claim.node);
    return member !== undefined && LIVE.has(member.state) ? claim.node : null;
  };
  const wanted = new Map<string, { service: string; instance: number }>();
  const toPlace = input.services.flatMap((s) =>
    Array.from({ length: s.replicas }, (_, i) => {
      const instance = i + 1;
      const name = `${s.service}@${instance}`;
      wanted.set(name, { service: s.service, instance });
      return { service: s.service, instance, placement: s.placement, registeredBy: s.registeredBy, holder: holderOf(name) };
    }),
  );
  const nodes: PlacementNode[] = input.members.map((m) => ({ id: m.id, tags: m.tags, alive: LIVE.has(m.state), draining: m.draining }));
  const decisions = placeInstances(toPlace, nodes);
  const reporter = coordinator(input.members) === input.me;
  const actions: ScheduleAction[] = [];

  for (const [name, decision] of decisions) {
    const target = wanted.get(name);
    if (target === undefined) continue;
    const claim = input.claims[name];
    const mine = claim?.node === input.me;
    const here = decision.kind === 'placed' && decision.node === input.me && !input.fenced;
    if (here) {
      if (input.releasing.has(name)) continue;
      if (mine) {
        if (!input.running.has(name)) actions.push({ kind: 'run', name, service: target.service, instance: target.instance });
      } else if (claim === undefined) {
        actions.push({ kind: 'claim', name, ...target, revision: null, previous: null, reason: decision.reason });
      } else if (GONE.has(byId.get(claim.node)?.state ?? 'down')) {
        actions.push({ kind: 'claim', name, ...target, revision: claim.revision, previous: claim.node, reason: decision.reason });
      }
      // Otherwise its live holder gives it up first (it runs this same function).
      continue;
    }
    if (input.running.has(name)) {
      if (!input.releasing.has(name)) actions.push({ kind: 'release', name, key: keyOf(name), retire: false, reason: releaseReason(decision, input.fenced) });
    } else if (mine && !input.releasing.has(name)) {
      actions.push({ kind: 'unclaim', name, revision: claim.revision });
    }
    if (decision.kind !== 'placed' && reporter) actions.push({ kind: 'report', name, service: target.service, instance: target.instance, decision });
  }

  // Instances this node runs that no placed service wants any more: scaled down (retired once
  // stopped) or no longer placed at all (their service left, or runs where it was registered).
  const replicasOf = new Map(input.services.map((s) => [s.service, s.replicas]));
  for (const name of input.running) {
    if (wanted.has(name) || input.releasing.has(name)) continue;
    const [service = name, n = '1'] = name.split('@');
    const replicas = replicasOf.get(service);
    const retire = replicas !== undefined && Number(n) > replicas;
    actions.push({ kind: 'release', name, key: keyOf(name), retire, reason: retire ? 'scaled down' : 'no longer placed' });
  }
  for (const [name, claim] of Object.entries(input.claims)) {
    if (claim.node === input.me && !wanted.has(name) && !input.running.has(name) && !input.releasing.has(name)) {
      actions.push({ kind: 'unclaim', name, revision: claim.revision });
    }
  }
  return actions;
}

function releaseReason(decision: PlacementDecision, fenced: boolean): string {
  if (fenced) return 'fenced: this node could not renew its lease';
  if (decision.kind === 'placed') return `moves to ${decision.node}: ${decision.reason}`;
  return decision.reason;
}

/** The controller's record key of an instance name (`web@1` → `web`, `web@2` → `web@2`). */
export function keyOf(name: string): string {
  const at = name.lastIndexOf('@');
  return at < 0 ? name : instanceKey(name.slice(0, at), Number(name.slice(at + 1)));
}
