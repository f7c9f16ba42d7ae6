// Requests to a node about itself travel as core NATS request/reply on
// nestor.rpc.<node>.node.<action>, like commands (not stored: they ask, they do not record).
// The node decides what an action means; this file only carries it and its JSON answer.
import type { Subscription } from '@nats-io/transport-node';
import { nodeRequestSubject } from '../events/index.ts';
import { handlesOf } from './handles.ts';
import type { BusReader } from './reader.ts';

/** What a node can be asked about itself. */
export const NODE_ACTIONS = ['nodes', 'drain', 'undrain', 'shutdown'] as const;
/** One node action. */
export type NodeAction = (typeof NODE_ACTIONS)[number];

/** A node's answer on the wire. */
export type NodeResponse<T = unknown> = { ok: true; data: T } | { ok: false; message: string };

/** Answers one request: the action and its parsed JSON body (null when empty or not JSON). */
export type NodeHandler = (action: NodeAction, body: unknown) => Promise<NodeResponse>;

/** A running node-request responder. */
export interface NodeRequestService {
  /** Stops answering once the request in hand is answered. */
  stop(): Promise<void>;
}

/** Sends one request to a node and returns its answer; throws on no responders and on timeout. */
export async function requestNode<T = unknown>(bus: BusReader, node: string, action: NodeAction, body: unknown = {}, timeoutMs = 10_000): Promise<NodeResponse<T>> {
  const reply = await handlesOf(bus).nc.request(nodeRequestSubject(node, action), JSON.stringify(body ?? {}), { timeout: timeoutMs });
  return JSON.parse(new TextDecoder().decode(reply.data)) as NodeResponse<T>;
}

/** Answers the requests of every action for `node` with `handle`. */
export function serveNode(bus: BusReader, node: string, handle: NodeHandler): NodeRequestService {
  const sub = handlesOf(bus).nc.subscribe(nodeRequestSubject(node, '*'));
  const loop = answer(sub, handle);
  return {
    async stop() {
      sub.unsubscribe();
      await loop;
    },
  };
}

const ACTIONS: ReadonlySet<string> = new Set(NODE_ACTIONS);

async function answer(sub: Subscription, handle: NodeHandler): Promise<void> {
  for await (const m of sub) {
    const action = m.subject.split('.').pop() as string;
    let response: NodeResponse;
    if (!ACTIONS.has(action)) {
      response = { ok: false, message: `unknown node action "${action}"; known: ${NODE_ACTIONS.join(', ')}` };
    } else {
      try {
        response = await handle(action as NodeAction, parseBody(m.data));
      } catch (err) {
        // A failing handler still answers, so the requester hears why instead of timing out.
        response = { ok: false, message: (err as Error).message };
      }
    }
    m.respond(JSON.stringify(response));
  }
}

function parseBody(data: Uint8Array): unknown {
  if (data.length === 0) return null;
  try {
    return JSON.parse(new TextDecoder().decode(data)) as unknown;
  } catch {
    return null;
  }
}
