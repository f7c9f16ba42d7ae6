// What a node writes into its lease, and the errors of taking one.
import type { LeaseState } from './core/index.ts';

/** The value stored under a node's key in the lease bucket. */
export interface NodeLease {
  node: string;
  /** New at every start and every rejoin: tells this run's writes from an earlier one's. */
  incarnation: string;
  pid: number;
  hostname: string;
  address: string;
  tags: string[];
  capacity: number | null;
  api: string;
  state: LeaseState;
  /** Local wall-clock time of the start, for people; never used to judge the lease. */
  startedAt: string;
  /** The node that wrote state 'down'. */
  declaredBy?: string;
}

/** The fields of a lease value that can be read, with defaults for the ones that are not there. */
export function readNodeLease(value: unknown, node: string): NodeLease {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof NodeLease, unknown>>;
  const str = (x: unknown, d = ''): string => (typeof x === 'string' ? x : d);
  const state = v.state === 'left' || v.state === 'down' ? v.state : 'alive';
  return {
    node: str(v.node, node),
    incarnation: str(v.incarnation),
    pid: typeof v.pid === 'number' ? v.pid : 0,
    hostname: str(v.hostname, '?'),
    address: str(v.address),
    tags: Array.isArray(v.tags) ? v.tags.filter((t): t is string => typeof t === 'string') : [],
    capacity: typeof v.capacity === 'number' ? v.capacity : null,
    api: str(v.api),
    state,
    startedAt: str(v.startedAt),
    ...(typeof v.declaredBy === 'string' ? { declaredBy: v.declaredBy } : {}),
  };
}

/** Another live process holds this node id's lease. */
export class NodeIdInUseError extends Error {
  readonly node: string;
  readonly pid: number;
  readonly hostname: string;
  /** Server-time age of the holder's latest renewal when it was seen. */
  readonly ageMs: number;

  constructor(node: string, holder: NodeLease, ageMs: number) {
    super(`node id ${node} is already in use by pid ${holder.pid} on host ${holder.hostname} (lease renewed ${(Math.max(0, ageMs) / 1000).toFixed(1)} s ago)`);
    this.name = 'NodeIdInUseError';
    this.node = node;
    this.pid = holder.pid;
    this.hostname = holder.hostname;
    this.ageMs = ageMs;
  }
}
