// The run registry over HTTP: the same requests as over the bus (one handler judges both), with
// the API's rules: the token, read-only mode (every route that changes a run, `commands/next`
// included, since it stamps the delivery), a JSON body of at most 64 KiB (413), declared as
// application/json (415, checked by the request guard).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RUN_BODY_LIMIT, httpStatusOf } from '../runs/core/index.ts';
import type { RunOp, RunReply, RunRequest } from '../runs/core/index.ts';
import type { ApiContext, Route, RouteRequest } from './context.ts';
import { HttpError } from './errors.ts';
import { requesterComponent, sendJson } from './respond.ts';

/** The run routes under /api/v1/runs. */
export function runRoutes(): Route[] {
  return [
    post('/api/v1/runs', 'create', 201, (r, body) => ({ body })),
    {
      method: 'GET',
      path: '/api/v1/runs',
      handle: async ({ res, url }, ctx) => {
        const filter: Record<string, string> = {};
        for (const [k, v] of url.searchParams) if (k !== 'token') filter[k] = v;
        answer(res, await ctx.runs('list', { body: filter }), 200);
      },
    },
    { method: 'GET', path: '/api/v1/runs/:id', handle: async ({ res, params }, ctx) => answer(res, await ctx.runs('get', { id: params.id }), 200) },
    post('/api/v1/runs/:id/heartbeat', 'heartbeat', 200, (r, body) => ({ id: r.params.id, body })),
    post('/api/v1/runs/:id/finish', 'finish', 200, (r, body) => ({ id: r.params.id, body })),
    {
      method: 'POST',
      path: '/api/v1/runs/:id/commands',
      handle: async (r, ctx) => {
        writable(ctx);
        const body = await readJsonBody(r.req, r.res);
        const reply = await ctx.runs('command', { id: r.params.id, body, by: requesterComponent(r.req) });
        answer(r.res, reply, reply.ok && (reply.data as { created?: boolean }).created === false ? 200 : 201);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/runs/:id/commands/next',
      handle: async ({ req, res, params, url }, ctx) => {
        writable(ctx);
        // A GET that changes the run: a page of another site may not make it (no Origin check runs for a GET).
        if (req.headers['sec-fetch-site'] === 'cross-site') throw new HttpError(403, 'cross-site', 'cross-site request refused: fetching a command marks it delivered');
        const reply = await ctx.runs('next', { id: params.id, body: { redeliver: url.searchParams.get('redeliver') === 'true' } });
        if (reply.ok && reply.data === null) {
          res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
          return;
        }
        answer(res, reply, 200);
      },
    },
    post('/api/v1/runs/:id/commands/:commandId/ack', 'ack', 200, (r) => ({ id: r.params.id, commandId: r.params.commandId })),
  ];
}

function post(path: string, op: RunOp, status: number, request: (r: RouteRequest, body: unknown) => RunRequest): Route {
  return {
    method: 'POST',
    path,
    handle: async (r, ctx) => {
      writable(ctx);
      const body = await readJsonBody(r.req, r.res);
      answer(r.res, await ctx.runs(op, { ...request(r, body), by: requesterComponent(r.req) }), status);
    },
  };
}

function writable(ctx: ApiContext): void {
  if (ctx.readOnly) throw new HttpError(403, 'read-only', 'this API is read-only (api.readOnly); changes to runs are refused');
}

function answer(res: ServerResponse, reply: RunReply, status: number): void {
  if (reply.ok) {
    sendJson(res, status, reply.data);
    return;
  }
  sendJson(res, httpStatusOf(reply.code), { error: { code: reply.code, message: reply.message, ...reply.details } });
}

/** The request's JSON body (undefined when it has none); 413 past 64 KiB, 400 when it is not JSON. */
export async function readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const tooLarge = (size: string): HttpError => {
    // The rest of the body is not read: the connection closes after the answer.
    res.setHeader('Connection', 'close');
    req.resume();
    return new HttpError(413, 'too_large', `body: ${size}, more than the ${RUN_BODY_LIMIT} bytes (64 KiB) a run request may have`);
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > RUN_BODY_LIMIT) throw tooLarge(`${declared} bytes`);
  // Read by events, not by iteration: leaving an iteration early destroys the socket, and the
  // client would never see its 413.
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= RUN_BODY_LIMIT) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', resolve);
      reject(tooLarge(`more than ${RUN_BODY_LIMIT} bytes`));
    };
    req.on('data', onData);
    req.once('end', resolve);
    req.once('error', reject);
  });
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, 'invalid', `body: not valid JSON (${(err as Error).message})`);
  }
}
