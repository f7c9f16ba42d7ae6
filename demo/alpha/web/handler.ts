// Alpha's routes: /, /health, /api/info, /metrics.
import type { DemoContext, DemoHandler } from '../runtime/index.ts';
import { pendingGates } from '../runtime/index.ts';
import { sendHtml, sendJson, sendNotFound, sendText } from './http.ts';
import { demoInfo, infoRows } from './info.ts';
import { METRICS_CONTENT_TYPE, baseMetrics, formatMetrics } from './metrics.ts';
import { renderPage } from './page.ts';

/** Creates alpha's request handler. */
export function createAlphaHandler(ctx: DemoContext, icon: string): DemoHandler {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://demo').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendNotFound(res, req.method, path);
    switch (path) {
      case '/health': {
        const waitingFor = pendingGates(ctx);
        return waitingFor.length === 0 ? sendJson(res, 200, { status: 'ok' }) : sendJson(res, 503, { status: 'starting', waitingFor });
      }
      case '/':
        return sendHtml(res, renderPage(ctx.name, icon, [{ title: 'This process', rows: infoRows(demoInfo(ctx)) }]));
      case '/api/info':
        return sendJson(res, 200, demoInfo(ctx));
      case '/metrics':
        return sendText(res, 200, formatMetrics(baseMetrics(ctx)), METRICS_CONTENT_TYPE);
      default:
        return sendNotFound(res, req.method, path);
    }
  };
}
