// The node's managed Caddy as its events tell it: running or not, its ports, and the routes of
// the config it serves last. Kept on the node's record so every view reads it like the rest.
import type { CaddyConfigApplied, CaddyExited, CaddyStarted, CaddyStopped } from '../events/index.ts';
import { getNode } from './lookup.ts';
import { blankNode } from './nodes.ts';
import type { NodeOutcome } from './nodes.ts';
import type { CaddyRoute, CaddyState, NodeState, State } from './types.ts';

type CaddyEvent = CaddyStarted | CaddyConfigApplied | CaddyExited | CaddyStopped;

const NO_CADDY: CaddyState = { running: false, pid: null, http: 0, https: 0, admin: 0, routes: [], routeCount: 0, upstreamCount: 0, since: '' };

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
  }
  const next: NodeState = { ...node, caddy };
  return { nodes: { ...state.nodes, [node.id]: next }, services: state.services };
}

function toRoute(r: CaddyConfigApplied['data']['table'][number]): CaddyRoute {
  return { hosts: [...r.hosts], paths: [...r.paths], services: [...r.services], upstreams: [...r.upstreams] };
}
