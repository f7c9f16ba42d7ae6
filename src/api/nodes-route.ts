// The cluster's nodes over HTTP: the list (the membership's judgement when the node has one,
// else what the nodes' events said) and drain/undrain, sent to the node they are about over the
// bus. The same rules as service commands: the token, read-only mode and the request guard.
import { isNoResponders, isTimeout, requestNode } from '../bus/index.ts';
import { getNode } from '../state/index.ts';
import { selectNodes, silenceReason } from '../views/index.ts';
import type { ApiContext, Route } from './context.ts';
import { HttpError } from './errors.ts';
import { parseOr, requesterComponent, sendJson } from './respond.ts';
import { nodeActionSchema, nodeIdSchema } from './schemas.ts';


/** `GET /api/v1/nodes` and `POST /api/v1/nodes/{id}/drain|undrain`. */
export function nodeRoutes(): Route[] {
  return [
    { method: 'GET', path: '/api/v1/nodes', handle: ({ res }, ctx) => sendJson(res, 200, { nodes: selectNodes(ctx.live.state, ctx.members()) }) },
    {
      method: 'POST',
      path: '/api/v1/nodes/:id/:action',
      handle: async ({ req, res, params }, ctx) => {
        const action = parseOr(nodeActionSchema, params.action, 'node action', 404, 'not-found');
        if (ctx.readOnly) throw new HttpError(403, 'read-only', 'this API is read-only (api.readOnly); node requests are refused');
        const node = parseOr(nodeIdSchema, params.id, 'node id', 404, 'unknown-node');
        requireNode(ctx, node);
        const component = requesterComponent(req);
        const outcome = await askNode(ctx, node, action, component);
        sendJson(res, outcome.status, outcome.body);
      },
    },
  ];
}

/** The answer of a node request with its HTTP status (the dashboard's buttons use it too). */
export async function askNode(ctx: ApiContext, node: string, action: 'drain' | 'undrain', component: string): Promise<{ status: number; body: Record<string, unknown> }> {
  let reply;
  try {
    reply = await requestNode(ctx.bus, node, action, { requestedBy: { node: ctx.node, component } });
  } catch (err) {
    if (!isNoResponders(err) && !isTimeout(err)) throw err;
    const message = `node ${node} does not answer (${silenceReason(ctx.live.state, node)})`;
    return { status: 503, body: { ok: false, node, action, message, code: 'no-node' } };
  }
  if (!reply.ok) return { status: 409, body: { ok: false, node, action, message: reply.message, code: 'refused' } };
  const said = (reply.data as { message?: unknown } | null)?.message;
  const message = typeof said === 'string' ? said : action === 'drain' ? `${node} draining` : `${node} no longer draining`;
  return { status: 200, body: { ok: true, node, action, message, data: reply.data ?? null } };
}

function requireNode(ctx: ApiContext, node: string): void {
  if (getNode(ctx.live.state, node) !== undefined || (ctx.members() ?? []).some((m) => m.id === node)) return;
  throw new HttpError(404, 'unknown-node', `unknown node "${node}"`);
}
