// The header both UIs draw: the node, its broker link and the service counts in one line.
import { getNode } from '../state/index.ts';
import type { State } from '../state/index.ts';
import { selectCounts } from './rows.ts';
import type { ServiceCounts } from './rows.ts';
import type { Tone } from './tone.ts';

/** The header of both UIs: which node, how the broker is, how many services are well. */
export interface HeaderView {
  node: string;
  nodeStatus: 'up' | 'down' | 'unknown';
  version: string;
  nats: string;
  broker: 'connected' | 'reconnecting' | 'disconnected' | 'unknown';
  brokerTone: Tone;
  /** Stream sequence the view reflects. */
  seq: number;
  counts: ServiceCounts;
  /** "3 services · 2 ready · 1 disabled" */
  summary: string;
}

/** Selects the header; `broker` overrides the event-derived broker status with a live observation. */
export function selectHeader(state: State, node: string, broker?: HeaderView['broker']): HeaderView {
  const n = getNode(state, node);
  const counts = selectCounts(state);
  const status = broker ?? n?.broker ?? 'unknown';
  const parts = [`${counts.total} service${counts.total === 1 ? '' : 's'}`];
  for (const [name, count] of Object.entries(counts.byState)) if (count > 0) parts.push(`${count} ${name}`);
  if (counts.settled < counts.total) parts.push(`${counts.total - counts.settled} settling`);
  return {
    node,
    nodeStatus: n?.status ?? 'unknown',
    version: n?.version ?? '',
    nats: n?.nats ?? '',
    broker: status,
    brokerTone: status === 'connected' ? 'ok' : status === 'reconnecting' ? 'warn' : status === 'unknown' ? 'muted' : 'error',
    seq: state.seq,
    counts,
    summary: parts.join(' · '),
  };
}
