// The Datastar dashboard's routes, mounted on the API server at /status:
//   GET  /status                      the page, fully rendered
//   GET  /status/logs                 every service's log, interleaved by time (reloads itself)
//   GET  /status/stream               Datastar SSE: every fragment now, then each change
//   GET  /status/assets/datastar.js   the Datastar bundle (served locally, no CDN)
//   GET  /status/assets/style.css
//   GET  /status/assets/follow-log.js   keeps log boxes at their newest line
//   POST /status/services/:id/:verb   enable/disable/restart (...), answered with a toast
//   POST /status/nodes/:id/:action    drain/undrain, answered with a toast
//   /status/runs...                   the runs page and its commands (runs-page.ts)
// Commands take the same path as REST and the CLI (the owning controller over NATS), node
// requests the same as REST's (the node itself over NATS).
import type { ApiContext, Route, RouteMount } from '../../api/index.ts';
import { SSE_HEADERS, askNode } from '../../api/index.ts';
import { COMMAND_VERBS } from '../../events/index.ts';
import type { CommandVerb } from '../../events/index.ts';
import { renderAllLogs } from './all-logs.ts';
import { datastarBundle, mergeFragments } from './datastar.ts';
import { DashboardLive } from './live.ts';
import { renderPage } from './page.ts';
import { renderToast } from './render.ts';
import { runsRoutes } from './runs-page.ts';
import type { RenderContext } from './render.ts';
import { template } from './templates.ts';

/** Mounts the dashboard on an API server. */
export const dashboardRoutes: RouteMount = (ctx: ApiContext): Route[] => {
  const rc: RenderContext = {
    query: ctx.token === undefined ? '' : `?token=${encodeURIComponent(ctx.token).replace(/'/g, '%27')}`,
    linkHost: ctx.linkHost,
    readOnly: ctx.readOnly,
  };
  const live = new DashboardLive(ctx, rc);
  return [
    ...runsRoutes(ctx, rc),
    {
      method: 'GET',
      path: '/status',
      handle: ({ res }) => {
        const { state, recent, broker } = ctx.live;
        const html = renderPage({ state, recent, node: ctx.node, broker, logs: (id) => live.logs(id), now: new Date(), members: ctx.members() }, rc);
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(html);
      },
    },
    {
      method: 'GET',
      path: '/status/stream',
      handle: async ({ req, res }) => {
        const conn = ctx.openStream(req, res, 'dashboard', { queueLimit: 200 });
        live.add(conn);
        await conn.done;
      },
    },
    {
      method: 'GET',
      path: '/status/logs',
      handle: ({ res }) => {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(renderAllLogs(ctx, rc.query));
      },
    },
    {
      method: 'GET',
      path: '/status/assets/datastar.js',
      handle: ({ res }) => {
        res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'max-age=3600' });
        res.end(datastarBundle());
      },
    },
    {
      method: 'GET',
      path: '/status/assets/follow-log.js',
      handle: ({ res }) => {
        res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'max-age=60' });
        res.end(template('follow-log.js'));
      },
    },
    {
      method: 'GET',
      path: '/status/assets/style.css',
      handle: ({ res }) => {
        res.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'max-age=60' });
        res.end(template('style.css'));
      },
    },
    {
      method: 'POST',
      path: '/status/services/:id/:verb',
      handle: async ({ res, params }) => {
        const verb = params.verb as CommandVerb;
        const id = params.id ?? '';
        let status: number;
        let ok = false;
        let text: string;
        if (!(COMMAND_VERBS as readonly string[]).includes(verb)) {
          status = 404;
          text = `unknown command "${params.verb}"`;
        } else if (ctx.readOnly) {
          status = 403;
          text = 'read-only: commands are refused';
        } else {
          const outcome = await ctx.command(verb, id, 'web');
          status = outcome.status;
          ok = outcome.body.ok;
          text = outcome.body.message;
        }
        res.writeHead(status, SSE_HEADERS);
        res.end(mergeFragments(renderToast(ok, text), { mergeMode: 'outer' }));
      },
    },
    {
      method: 'POST',
      path: '/status/nodes/:id/:action',
      handle: async ({ res, params }) => {
        const action = params.action;
        const node = params.id ?? '';
        let status = 200;
        let ok = false;
        let text: string;
        if (action !== 'drain' && action !== 'undrain') {
          status = 404;
          text = `unknown node action "${action}"`;
        } else if (ctx.readOnly) {
          status = 403;
          text = 'read-only: node requests are refused';
        } else if (!(node in ctx.live.state.nodes) && !(ctx.members() ?? []).some((m) => m.id === node)) {
          status = 404;
          text = `unknown node "${node}"`;
        } else {
          const outcome = await askNode(ctx, node, action, 'web');
          status = outcome.status;
          ok = outcome.body.ok === true;
          text = String(outcome.body.message);
        }
        res.writeHead(status, SSE_HEADERS);
        res.end(mergeFragments(renderToast(ok, text), { mergeMode: 'outer' }));
      },
    },
  ];
};
