// Requests to a node about itself travel as core NATS request/reply on
// nestor.rpc.<node>.node.<action>, like commands (not stored: they ask, they do not record).
// The node decides what an action means; this file only carries it and its JSON answer.
import { nodeRequestSubject } from '../events/index.ts';
import { serveRequests } from './commands.ts';
import type { RequestService } from './commands.ts';
import { handlesOf } from './handles.ts';
import type { BusReader } from './reader.ts';

/** What a node can be asked about itself. */
export const NODE_ACTIONS = ['nodes', 'drain', 'undrain', 'shutdown', 'apply'] as const;
/** One node action. */
export type NodeAction = (typeof NODE_ACTIONS)[number];

/** A node's answer on the wire. */
export type NodeResponse<T = unknown> = { ok: true; data: T } | { ok: false; message: string };

/** Answers one request: the action and its parsed JSON body (null when empty or not JSON). */
export type NodeHandler = (action: NodeAction, body: unknown) => Promise<NodeResponse>;

/** A running node-request responder. */
export type NodeRequestService = RequestService;

/** Sends one request to a node and returns its answer; throws on no responders and on timeout. */
export async function requestNode<T = unknown>(bus: BusReader, node: string, action: NodeAction, body: unknown = {}, timeoutMs = 10_000): Promise<NodeResponse<T>> {
  const reply = await handlesOf(bus).nc.request(nodeRequestSubject(node, action), JSON.stringify(body ?? {}), { timeout: timeoutMs });
  return JSON.parse(new TextDecoder().decode(reply.data)) as NodeResponse<T>;
}

/** Answers the requests of every action for `node` with `handle`. */
export function serveNode(bus: BusReader, node: string, handle: NodeHandler): NodeRequestService {
  return serveRequests<NodeResponse>(
    bus,
    nodeRequestSubject(node, '*'),
    (action, data) =>
      ACTIONS.has(action)
        ? handle(action as NodeAction, parseBody(data))
        : Promise.resolve({ ok: false, message: `unknown node action "${action}"; known: ${NODE_ACTIONS.join(', ')}` }),
    (err) => ({ ok: false, message: err.message }),
  );
}

const ACTIONS: ReadonlySet<string> = new Set(NODE_ACTIONS);

function parseBody(data: Uint8Array): unknown {
  if (data.length === 0) return null;
  try {
    return JSON.parse(new TextDecoder().decode(data)) as unknown;
  } catch {
    return null;
  }
}
