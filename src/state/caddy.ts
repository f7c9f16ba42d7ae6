// The node's managed Caddy as its events tell it: running or not, its ports, and the routes of
// the config it serves last. Kept on the node's record so every view reads it like the rest.
import type { CaddyCertRestored, CaddyCertStored, CaddyConfigApplied, CaddyExited, CaddyStarted, CaddyStopped } from '../events/index.ts';
import { getNode } from './lookup.ts';
import { blankNode } from './nodes.ts';
import type { NodeOutcome } from './nodes.ts';
import type { CaddyRoute, CaddyState, NodeState, State } from './types.ts';

type CaddyEvent = CaddyStarted | CaddyConfigApplied | CaddyExited | CaddyStopped | CaddyCertStored | CaddyCertRestored;

const NO_CADDY: CaddyState = { running: false, pid: null, http: 0, https: 0, admin: 0, routes: [], routeCount: 0, upstreamCount: 0, certificates: [], since: '' };

/** Applies one Caddy lifecycle event to the node that runs that Caddy (one not announced yet is recorded as down until its node.up). */
export function nodeCaddy(state: State, e: CaddyEvent): NodeOutcome {
  const node = getNode(state, e.data.node) ?? blankNode(e.data.node, e.timestamp);
  const prev = node.caddy ?? NO_CADDY;
  let caddy: CaddyState;
  switch (e.type) {
    case 'orchestrator.caddy.started':
      caddy = { ...prev, running: true, pid: e.data.pid, http: e.data.http, https: e.data.https, admin: e.data.admin, since: e.timestamp };
      break;
    case 'orchestrator.caddy.config.applied':
      caddy = { ...prev, routes: e.data.table.map(toRoute), routeCount: e.data.routes, upstreamCount: e.data.upstreams };
      break;
    case 'orchestrator.caddy.exited':
    case 'orchestrator.caddy.stopped':
      caddy = { ...prev, running: false, pid: null, since: e.timestamp };
      break;
    case 'orchestrator.caddy.cert.stored':
    case 'orchestrator.caddy.cert.restored': {
      const hosts = e.data.names.flatMap(certificateOf);
      if (hosts.every((h) => prev.certificates.includes(h))) return { nodes: state.nodes, services: state.services };
      caddy = { ...prev, certificates: [...new Set([...prev.certificates, ...hosts])].sort() };
      break;
    }
  }
  const next: NodeState = { ...node, caddy };
  return { nodes: { ...state.nodes, [node.id]: next }, services: state.services };
}

// Caddy keeps a certificate as certificates/<issuer>/<host>/<host>.crt.
function certificateOf(name: string): string[] {
  const m = /^certificates\/([^/]+)\/([^/]+)\/([^/]+)\.crt$/u.exec(name);
  return m !== null && m[2] === m[3] ? [`${m[2]} (${m[1]})`] : [];
}

function toRoute(r: CaddyConfigApplied['data']['table'][number]): CaddyRoute {
  return { hosts: [...r.hosts], paths: [...r.paths], services: [...r.services], upstreams: [...r.upstreams] };
}
