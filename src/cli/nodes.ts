// `nestor nodes`, `nestor drain NODE` and `nestor undrain NODE`: the cluster's nodes as the
// local node's membership judges them (falling back to what the nodes' events said when it does
// not answer), and the requests that move a node's movable instances away or let it take work
// again. Each request goes to the node it is about, over the bus.
import { hostname, userInfo } from 'node:os';
import { isNoResponders, isTimeout, requestNode } from '../bus/index.ts';
import type { BusReader } from '../bus/index.ts';
import { getNode } from '../state/index.ts';
import type { State } from '../state/index.ts';
import { selectNodes, silenceReason } from '../views/index.ts';
import type { MemberRow, NodeRow } from '../views/index.ts';
import { connectInstance } from './connect.ts';
import type { CliContext } from './context.ts';
import { CliFailure, UsageError } from './errors.ts';
import { stateAtPoint } from './history.ts';
import { renderTable } from './table.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor nodes`, `drain` and `undrain`. */
export interface NodesFlags {
  file?: string;
  json?: boolean;
}

const MEMBERS_TIMEOUT_MS = 3_000;

/** The membership's rows from `node`, or null when it does not answer (or answers without them). */
export async function askMembers(bus: BusReader, node: string): Promise<MemberRow[] | null> {
  try {
    const reply = await requestNode<{ nodes?: unknown }>(bus, node, 'nodes', {}, MEMBERS_TIMEOUT_MS);
    return reply.ok && Array.isArray(reply.data?.nodes) ? reply.data.nodes.map(toMember) : null;
  } catch (err) {
    if (isNoResponders(err) || isTimeout(err)) return null;
    throw err;
  }
}

// A node may answer with membership rows or with finished node rows; both carry what is needed.
function toMember(raw: unknown): MemberRow {
  const r = raw as Partial<MemberRow> & { lastSeen?: string | null; state?: string };
  const lastSeenAt = typeof r.lastSeenAt === 'number' ? r.lastSeenAt : typeof r.lastSeen === 'string' ? Date.parse(r.lastSeen) : 0;
  const state = r.state === 'suspect' || r.state === 'down' || r.state === 'left' ? r.state : 'alive';
  return { id: String(r.id), state, tags: Array.isArray(r.tags) ? r.tags.map(String) : [], address: r.address ?? '', api: r.api ?? '', lastSeenAt };
}

/** Prints the nodes of the cluster. */
export async function runNodes(flags: NodesFlags, ctx: CliContext, term: Terminal): Promise<number> {
  await using conn = await connectInstance(ctx, flags.file);
  const [state, members] = await Promise.all([stateAtPoint(conn.bus), askMembers(conn.bus, conn.info.node)]);
  if (members === null) term.info(`node ${conn.info.node} does not answer for its membership; the nodes as their own events tell`);
  const rows = selectNodes(state, members);
  if (flags.json) {
    term.out(JSON.stringify({ nodes: rows }));
    return 0;
  }
  if (rows.length === 0) {
    term.out('no nodes known');
    return 0;
  }
  for (const line of renderNodes(rows)) term.out(line);
  return 0;
}

/** The nodes table. */
export function renderNodes(rows: NodeRow[]): string[] {
  return renderTable(
    ['NODE', 'STATE', 'TAGS', 'LAST SEEN', 'INSTANCES'],
    rows.map((r) => [r.id, r.state, r.tags.join(',') || '-', r.lastSeen ?? '-', r.instances.join(',') || '-']),
  );
}

/** Asks a node to drain (move its movable instances away, take nothing new) or to stop draining. */
export async function runDrain(action: 'drain' | 'undrain', node: string, flags: NodesFlags, ctx: CliContext, term: Terminal): Promise<number> {
  await using conn = await connectInstance(ctx, flags.file);
  const state = await stateAtPoint(conn.bus);
  requireNode(state, node);
  let reply;
  try {
    reply = await requestNode(conn.bus, node, action, { requestedBy: requester() });
  } catch (err) {
    if (isNoResponders(err) || isTimeout(err)) throw new CliFailure(`${action} ${node}: ${nodeSilent(state, node)}`, { cause: err });
    throw err;
  }
  if (!reply.ok) throw new CliFailure(`${action} ${node} refused: ${reply.message}`);
  const message = (reply.data as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : action === 'drain' ? `${node} draining` : `${node} no longer draining`;
  if (flags.json) term.out(JSON.stringify({ ok: true, node, action, message: text, data: reply.data ?? null }));
  else term.info(text);
  return 0;
}

/** Throws a usage error (exit 2) naming the known nodes when `node` never announced itself. */
export function requireNode(state: State, node: string): void {
  if (getNode(state, node) !== undefined) return;
  const known = Object.keys(state.nodes).sort();
  throw new UsageError(`unknown node "${node}"; ${known.length ? `known: ${known.join(', ')}` : 'no node has announced itself'}`);
}

/** "node n2 does not answer (down since …)", from what the events say of it. */
export function nodeSilent(state: State, node: string): string {
  return `node ${node} does not answer (${silenceReason(state, node)})`;
}

/** Who asks, as command and node requests record it. */
export function requester(): { node: string; component: string; user?: string } {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = undefined;
  }
  return { node: hostname().replace(/[^A-Za-z0-9_-]+/g, '-'), component: 'cli', ...(user === undefined ? {} : { user }) };
}
