// Node facts. A node that comes up (again) or goes down no longer supervises the processes its
// earlier incarnation started: without an exit event for them, a replay of a persistent stream
// would show them alive forever and ignore the new incarnation's starts. So both facts move the
// node's services that had (or were about to have) a process to their resting state.
import type { NodeBrokerChanged, NodeDown, NodeDraining, NodeUp } from '../events/index.ts';
import { cloneService } from './clone.ts';
import { getNode } from './lookup.ts';
import { orphaned } from './service-transitions.ts';
import type { NodeState, ServiceState, State } from './types.ts';

/** The parts of the state a node event may replace. */
export type NodeOutcome = Pick<State, 'services' | 'nodes'>;

const SUPERVISED = new Set<ServiceState['state']>(['starting', 'running', 'ready', 'stopping', 'backoff']);

/** A node started: record how to reach it and release what its previous incarnation supervised. */
export function nodeUp(state: State, e: NodeUp, seq: number): NodeOutcome {
  const d = e.data;
  const prev = getNode(state, d.node);
  const node: NodeState = {
    id: d.node,
    status: 'up',
    pid: d.pid,
    hostname: d.hostname,
    version: d.version,
    nats: d.nats,
    api: d.api,
    dataDir: d.dataDir,
    broker: 'connected',
    since: e.timestamp,
    tags: d.tags ?? [],
    address: d.address ?? '127.0.0.1',
    // A node that starts takes work again: a drain lasts until undrain or the node's next start.
    draining: false,
    downReason: null,
    declaredBy: null,
    // The node's Caddy starts before its node.up (config → bus → caddy → controller): what it
    // said since the node was last down belongs to this run.
    ...(prev?.status !== 'up' && prev?.caddy?.running === true ? { caddy: prev.caddy } : {}),
  };
  // A node.up can reach the stream after starts the same node made later by its own clock (a
  // node declared down rejoins and takes work while its announcement waits in its outbox):
  // those instances belong to this life, not the previous one, and still run.
  const released = releaseServices(state.services, d.node, e.timestamp, `node ${d.node} restarted`, seq, e.timestamp);
  return { nodes: { ...state.nodes, [d.node]: node }, services: newRun(released, d.node) };
}

// `restarts` counts this run's restarts, so a new incarnation of the node starts them at 0;
// restartsTotal keeps the whole history's.
function newRun(services: State['services'], node: string): State['services'] {
  let out: State['services'] | null = null;
  for (const id in services) {
    const s = services[id] as ServiceState;
    if (s.node !== node || s.restarts === 0) continue;
    out ??= { ...services };
    const next = cloneService(s);
    next.restarts = 0;
    out[id] = next;
  }
  return out ?? services;
}

/**
 * A node shut down or was found dead: mark it down and release its services. A node that says
 * so itself stopped what it ran; one declared dead by a survivor left its instances running
 * nowhere: those that may move wait for a new node (pending), the others are `lost`.
 */
export function nodeDown(state: State, e: NodeDown, seq: number): NodeOutcome {
  const d = e.data;
  const prev = getNode(state, d.node) ?? blankNode(d.node, e.timestamp);
  const declaredBy = d.declaredBy ?? null;
  const node: NodeState = { ...prev, status: 'down', pid: null, broker: 'disconnected', since: e.timestamp, downReason: d.reason, declaredBy };
  if (node.caddy?.running === true) node.caddy = { ...node.caddy, running: false, pid: null };
  const why = `node ${d.node} down: ${d.reason}`;
  const services =
    declaredBy === null
      ? releaseServices(state.services, d.node, e.timestamp, why, seq)
      : strandServices(state.services, d.node, e.timestamp, why, seq);
  return { nodes: { ...state.nodes, [d.node]: node }, services };
}

/** A node was asked to drain, or to stop draining. */
export function nodeDraining(state: State, e: NodeDraining): NodeOutcome {
  const d = e.data;
  const prev = getNode(state, d.node) ?? blankNode(d.node, e.timestamp);
  return { nodes: { ...state.nodes, [d.node]: { ...prev, draining: d.draining } }, services: state.services };
}

// Instances of a node found dead: nothing supervises them any more, wherever they were in
// their lifecycle (except those at rest by choice: stopped, completed, failed, disabled).
const STRANDED = new Set<ServiceState['state']>(['pending', 'starting', 'running', 'ready', 'stopping', 'backoff']);
function strandServices(services: State['services'], node: string, timestamp: string, why: string, seq: number): State['services'] {
  let out: State['services'] | null = null;
  for (const id in services) {
    const s = services[id] as ServiceState;
    if (s.node !== node || !STRANDED.has(s.state)) continue;
    out ??= { ...services };
    const next = cloneService(s);
    next.state = isMovable(s) ? 'pending' : 'lost';
    next.since = timestamp;
    next.pid = null;
    next.waitingFor = [];
    next.nextRestartAt = null;
    next.restartPending = false;
    next.health = { readiness: 'unknown', liveness: 'unknown' };
    next.lastError = why;
    if (seq > 0) next.lastSeq = seq;
    out[id] = next;
  }
  return out ?? services;
}

/** True when the instance may run on another node than the one it is on. */
export function isMovable(s: Pick<ServiceState, 'placement'>): boolean {
  const p = s.placement;
  if (p === null) return false;
  if (p === 'any') return true;
  if (p.node !== undefined) return false;
  return p.nodes === undefined || new Set(p.nodes).size > 1;
}

/** A node's broker connection changed. */
export function nodeBroker(state: State, e: NodeBrokerChanged): NodeOutcome {
  const d = e.data;
  const prev = getNode(state, d.node) ?? { ...blankNode(d.node, e.timestamp), status: 'up' as const };
  return { nodes: { ...state.nodes, [d.node]: { ...prev, broker: d.status } }, services: state.services };
}

/** A node known only from events other than its node.up, as down. */
export function blankNode(id: string, since: string): NodeState {
  return {
    id,
    status: 'down',
    pid: null,
    hostname: '',
    version: '',
    nats: '',
    api: null,
    dataDir: '',
    broker: 'disconnected',
    since,
    tags: [],
    address: '',
    draining: false,
    downReason: null,
    declaredBy: null,
  };
}

function releaseServices(
  services: State['services'],
  node: string,
  timestamp: string,
  why: string,
  seq: number,
  keepStartedAfter?: string,
): State['services'] {
  let out: State['services'] | null = null;
  for (const id in services) {
    const s = services[id] as ServiceState;
    if (s.node !== node || !SUPERVISED.has(s.state)) continue;
    if (keepStartedAfter !== undefined && s.startedAt !== null && s.startedAt > keepStartedAfter) continue;
    out ??= { ...services };
    const next = orphaned(s, timestamp, why);
    if (seq > 0) next.lastSeq = seq;
    out[id] = next;
  }
  return out ?? services;
}
