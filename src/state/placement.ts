// Placement facts of a cluster: which node runs an instance, and the instances that run nowhere
// because their node is down (lost) or no live node matches their placement (unplaced).
import type { ServiceLost, ServicePlaced, ServiceUnplaced } from '../events/index.ts';
import { cloneService } from './clone.ts';
import type { ServiceState } from './types.ts';

const LIVE = new Set<ServiceState['state']>(['starting', 'running', 'ready', 'stopping', 'backoff']);

/** A node claimed the instance: it runs there from now on (its next start comes from that node). */
export function placed(s: ServiceState, e: ServicePlaced): ServiceState {
  const n = cloneService(s);
  n.node = e.data.node;
  // A claim is taken only once the previous holder's process is gone (or its node is down), on
  // another node or on this one again: whatever the record still says of that process is over
  // (its exit may have been held back by an outage and arrive after the new start).
  if (s.state === 'lost' || LIVE.has(s.state)) {
    n.state = 'pending';
    n.since = e.timestamp;
    n.pid = null;
    n.health = { readiness: 'unknown', liveness: 'unknown' };
  }
  n.waitingFor = [];
  n.lastError = s.state === 'lost' ? null : s.lastError;
  return n;
}

/** The instance's node is down and nothing else may run it: `lost` until that node returns. */
export function lost(s: ServiceState, e: ServiceLost): ServiceState {
  const n = cloneService(s);
  if (s.state !== 'lost') n.since = e.timestamp;
  n.state = 'lost';
  n.node = e.data.node;
  n.pid = null;
  n.waitingFor = [];
  n.nextRestartAt = null;
  n.restartPending = false;
  n.health = { readiness: 'unknown', liveness: 'unknown' };
  n.lastError = e.data.reason;
  return n;
}

/** No live node matches the placement: pending, waiting for such a node, with the reason. */
export function unplaced(s: ServiceState, e: ServiceUnplaced): ServiceState {
  const n = cloneService(s);
  if (s.state !== 'pending') n.since = e.timestamp;
  n.state = 'pending';
  n.node = '';
  n.waitingFor = [e.data.reason];
  n.lastError = null;
  return n;
}
