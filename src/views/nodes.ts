// The nodes of the cluster as `nestor nodes`, `GET /api/v1/nodes`, the TUI's nodes pane and the
// dashboard's nodes section show them: the membership's judgement when the asking node has one
// (who answers heartbeats right now), else what the nodes' own events said, plus the instances
// the state places on each node.
import { instanceName } from '../events/index.ts';
import { getNode } from '../state/index.ts';
import type { NodeState, State } from '../state/index.ts';
import type { Tone } from './tone.ts';

/** One node as the membership judges it (what a node's 'nodes' request answers with). */
export interface MemberRow {
  id: string;
  state: 'alive' | 'suspect' | 'down' | 'left';
  tags: string[];
  address: string;
  api: string;
  /** When the membership last heard from it (epoch ms, by the answering node's clock). */
  lastSeenAt: number;
}

/** The state a node row shows: the membership's, or `draining` for a live node asked to drain. */
export type NodeRowState = MemberRow['state'] | 'draining';

/** One node in `nestor nodes --json` and `GET /api/v1/nodes`. */
export interface NodeRow {
  id: string;
  state: NodeRowState;
  tags: string[];
  /** When the membership last heard from it (ISO 8601), or null when no membership answered. */
  lastSeen: string | null;
  address: string;
  /** Its HTTP API, or null when unknown. */
  api: string | null;
  /** `<service>@<n>` of every instance the state places on it, sorted. */
  instances: string[];
  /** Why it went down, when it did (null when it said so itself or is up). */
  downReason: string | null;
  /** Its managed Caddy, null when none ever ran there. */
  caddy: NodeCaddyView | null;
}

/** A node's Caddy as the nodes views show it. */
export interface NodeCaddyView {
  running: boolean;
  http: number;
  https: number;
  routeCount: number;
  upstreamCount: number;
  /** One line per route: `host/path → service (upstream, ...)`. */
  routes: string[];
  /** One line per certificate shared through the bus: `certificate host (issuer)`. */
  certificates: string[];
}

/** A node's Caddy in a few words (`:443 · 1 route → 2`), as the nodes columns show it. */
export function caddySummary(c: NodeCaddyView | null): string {
  if (c === null) return '-';
  if (!c.running) return 'stopped';
  return `:${c.https} · ${c.routeCount} route${c.routeCount === 1 ? '' : 's'} → ${c.upstreamCount}`;
}

function caddyView(n: NodeState | undefined): NodeCaddyView | null {
  const c = n?.caddy;
  if (c === undefined) return null;
  const certificates = c.certificates;
  const routes = c.routes.map((r) => {
    const where = `${r.hosts.length > 0 ? r.hosts.join(',') : '*'}${r.paths.length > 0 ? r.paths.join(',') : ''}`;
    // A host whose certificate is shared through the bus says so on its route's line, where a
    // pane too short for the certificate lines still shows it.
    const issuers = r.hosts.flatMap((h) => certificates.filter((c) => c.startsWith(`${h} (`)).map((c) => c.slice(h.length + 2, -1)));
    const cert = issuers.length > 0 ? ` · cert ${[...new Set(issuers)].join(',')}` : '';
    return `${where} → ${r.services.join(', ') || '-'} (${r.upstreams.length > 0 ? r.upstreams.join(', ') : 'no ready instance'})${cert}`;
  });
  return { running: c.running, http: c.http, https: c.https, routeCount: c.routeCount, upstreamCount: c.upstreamCount, routes, certificates: certificates.map((h) => `certificate ${h}`) };
}

/** The tone of a node's state, as both UIs colour it. */
export function nodeTone(state: NodeRowState): Tone {
  if (state === 'alive') return 'ok';
  if (state === 'suspect' || state === 'draining') return 'warn';
  return state === 'down' ? 'error' : 'muted';
}

/**
 * Node rows sorted by id, for every node the events or the membership know. `members` is null
 * when no membership answered; the rows then say alive or down from the nodes' own events.
 */
export function selectNodes(state: State, members: readonly MemberRow[] | null): NodeRow[] {
  const byId = new Map((members ?? []).map((m) => [m.id, m]));
  const ids = new Set([...Object.keys(state.nodes), ...byId.keys()]);
  const placed = new Map<string, string[]>();
  for (const s of Object.values(state.services)) {
    if (s.node === '') continue;
    const list = placed.get(s.node) ?? [];
    list.push(instanceName(s.service, s.instance));
    placed.set(s.node, list);
  }
  return [...ids].sort().map((id) => {
    const m = byId.get(id);
    const n = Object.hasOwn(state.nodes, id) ? state.nodes[id] : undefined;
    const base: NodeRowState = m !== undefined ? m.state : n?.status === 'up' ? 'alive' : 'down';
    const seen = m === undefined || !Number.isFinite(m.lastSeenAt) || m.lastSeenAt <= 0 ? null : new Date(m.lastSeenAt).toISOString();
    return {
      id,
      state: base === 'alive' && n?.draining === true ? 'draining' : base,
      tags: m?.tags ?? n?.tags ?? [],
      lastSeen: seen,
      address: m?.address || n?.address || '',
      api: m?.api || n?.api || null,
      instances: (placed.get(id) ?? []).sort(byInstance),
      downReason: base === 'down' ? (n?.downReason ?? null) : null,
      caddy: caddyView(n),
    };
  });
}

/** What the events say of a node that does not answer: "down since …", or that they say it is up. */
export function silenceReason(state: State, node: string): string {
  const n = getNode(state, node);
  if (n === undefined) return 'it never announced itself on this bus';
  if (n.status === 'down') return `down since ${n.since}${n.downReason === null ? '' : `: ${n.downReason}`}`;
  return `up since ${n.since} by its events; it may have stopped without saying so`;
}

// web@2 before web@10: names compare by service, then by instance number.
function byInstance(a: string, b: string): number {
  const [sa = '', na = '0'] = a.split('@');
  const [sb = '', nb = '0'] = b.split('@');
  return sa < sb ? -1 : sa > sb ? 1 : Number(na) - Number(nb);
}
