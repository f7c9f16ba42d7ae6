// The REST routes: service list and detail, log tails, the whole state (the snapshot a view
// starts from), commands, /healthz, and the OpenAPI document. Reads come from the live state's
// reduced state; commands go to the owning controller and return its outcome.
import { existsSync } from 'node:fs';
import { readMergedLogs, tailLog } from '../process/index.ts';
import { getService } from '../state/index.ts';
import { parseLogLine, recordKeyOf, selectInstanceEntry, selectService, selectStatusJson } from '../views/index.ts';
import type { ApiContext, Route } from './context.ts';
import { HttpError } from './errors.ts';
import { handleEvents } from './events-route.ts';
import { openApiDocument } from './openapi.ts';
import { parseOr, requesterComponent, sendJson } from './respond.ts';
import { logsQuerySchema, serviceNameSchema, verbSchema } from './schemas.ts';

const RECENT_EVENTS = 20;

// A service id or an instance name (`web@2`; `web@1` is the record `web`); the record key and the name.
function serviceOr404(ctx: ApiContext, raw: string | undefined): { id: string; key: string } {
  const id = parseOr(serviceNameSchema, raw, 'service id', 404, 'unknown-service');
  const key = recordKeyOf(id) ?? id;
  if (getService(ctx.live.state, key) === undefined) throw new HttpError(404, 'unknown-service', `unknown ${id.includes('@') ? 'instance' : 'service'} "${id}"`);
  return { id, key };
}

/** The routes of the REST API and the event stream. */
export function restRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      auth: false,
      handle: ({ res }, ctx) => {
        const broker = ctx.live.broker;
        sendJson(res, broker === 'connected' ? 200 : 503, { status: broker === 'connected' ? 'ok' : 'degraded', node: ctx.node, broker, seq: ctx.live.cursor, readOnly: ctx.readOnly });
      },
    },
    { method: 'GET', path: '/api/v1/openapi.json', handle: ({ res }) => sendJson(res, 200, openApiDocument()) },
    { method: 'GET', path: '/api/v1/services', handle: ({ res }, ctx) => sendJson(res, 200, selectStatusJson(ctx.live.state)) },
    {
      method: 'GET',
      path: '/api/v1/state',
      // ?fresh=1: the state once it includes the whole stream as of the request (what the CLI's
      // status shows); 503 if the node cannot catch up, so the caller reads the stream itself.
      handle: async ({ res, url }, ctx) => {
        if (url.searchParams.has('fresh') && !(await ctx.live.catchUp())) throw new HttpError(503, 'not-caught-up', 'the live state is behind the event stream');
        sendJson(res, 200, ctx.live.state);
      },
    },
    { method: 'GET', path: '/api/v1/events', handle: handleEvents },
    {
      method: 'GET',
      path: '/api/v1/services/:id',
      handle: ({ res, params }, ctx) => {
        const { id, key } = serviceOr404(ctx, params.id);
        const state = ctx.live.state;
        const record = getService(state, key);
        // An instance name answers with that instance's fields; a service id with the service's row.
        const entry = id.includes('@') && record !== undefined ? selectInstanceEntry(state, record) : selectStatusJson(state).services.find((s) => s.id === id);
        const detail = selectService(state, key, new Date());
        if (entry === undefined || detail === null) throw new HttpError(404, 'unknown-service', `unknown service "${id}"`);
        const about = (e: { data: unknown }): boolean => {
          const d = e.data as { service?: unknown; instance?: unknown };
          return d.service === detail.service && (!id.includes('@') || (d.instance ?? 1) === detail.instance);
        };
        const events = ctx.live.recent.filter(about).slice(-RECENT_EVENTS);
        sendJson(res, 200, {
          seq: state.seq,
          service: { ...entry, description: detail.description, profiles: detail.profiles, specVersion: detail.specVersion, uptimeMs: detail.uptimeMs },
          events,
        });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/services/:id/logs',
      handle: ({ res, params, url }, ctx) => {
        const { id, key } = serviceOr404(ctx, params.id);
        const { lines } = parseOr(logsQuerySchema, Object.fromEntries(url.searchParams), 'query');
        const file = ctx.logFile(key);
        if (file === null) throw new HttpError(404, 'log-elsewhere', `${id} runs on another node; ask that node's API for its log`);
        const format = ctx.logFormat(key);
        sendJson(res, 200, { service: id, file, lines: existsSync(file) ? tailLog(file, lines) : [], ...(format === undefined ? {} : { format }) });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/logs',
      handle: ({ res, url }, ctx) => {
        const { lines } = parseOr(logsQuerySchema, Object.fromEntries(url.searchParams), 'query');
        sendJson(res, 200, { lines: mergedLogTail(ctx, lines) });
      },
    },
    {
      method: 'POST',
      path: '/api/v1/services/:id/:verb',
      handle: async ({ req, res, params }, ctx) => {
        const verb = parseOr(verbSchema, params.verb, 'command', 404, 'not-found');
        if (ctx.readOnly) throw new HttpError(403, 'read-only', 'this API is read-only (api.readOnly); commands are refused');
        const id = parseOr(serviceNameSchema, params.id, 'service id', 404, 'unknown-service');
        const component = requesterComponent(req);
        const outcome = await ctx.command(verb, id, component);
        sendJson(res, outcome.status, outcome.body);
      },
    },
  ];
}

/** A line of GET /api/v1/logs. */
export interface MergedLogLine {
  service: string;
  stream: 'stdout' | 'stderr';
  time: string;
  text: string;
  level?: string;
  message?: string;
}

/** The last `lines` of each of this node's services' logs, interleaved by write time. */
export function mergedLogTail(ctx: ApiContext, lines: number): MergedLogLine[] {
  const keys = [...new Set(Object.keys(ctx.live.state.services).map((id) => recordKeyOf(id) ?? id))].sort();
  const sources = keys.flatMap((service) => {
    const file = ctx.logFile(service);
    return file === null ? [] : [{ service, file }];
  });
  return readMergedLogs(sources, { lines }).map((l) => {
    const { level, message } = parseLogLine(l.text, ctx.logFormat(l.service));
    return { service: l.service, stream: l.stream, time: new Date(l.time).toISOString(), text: l.text, ...(level === null ? {} : { level, message }) };
  });
}
