// Beta's routes. Every page view and health check calls alpha, so beta is only as healthy as
// its dependency: /health is 503 while alpha does not answer.
import type { DemoContext, DemoHandler } from '../../alpha/runtime/index.ts';
import { pendingGates } from '../../alpha/runtime/index.ts';
import {
  METRICS_CONTENT_TYPE,
  baseMetrics,
  demoInfo,
  formatMetrics,
  infoRows,
  renderPage,
  sendHtml,
  sendJson,
  sendNotFound,
  sendText,
} from '../../alpha/web/index.ts';
import type { PageSection } from '../../alpha/web/index.ts';
import { fetchAlphaInfo } from './alpha-client.ts';
import type { UpstreamStats } from './alpha-client.ts';

/** Creates beta's request handler; `alphaUrl` has no trailing slash. */
export function createBetaHandler(ctx: DemoContext, icon: string, alphaUrl: string): DemoHandler {
  const upstream: UpstreamStats = { ok: 0, error: 0 };
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://demo').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendNotFound(res, req.method, path);
    switch (path) {
      case '/health': {
        const waitingFor = pendingGates(ctx);
        const alpha = await fetchAlphaInfo(alphaUrl, upstream);
        if (!alpha.ok) waitingFor.push(alpha.error);
        return waitingFor.length === 0 ? sendJson(res, 200, { status: 'ok' }) : sendJson(res, 503, { status: 'starting', waitingFor });
      }
      case '/': {
        const alpha = await fetchAlphaInfo(alphaUrl, upstream);
        const alphaSection: PageSection = alpha.ok
          ? { title: `Alpha (${alphaUrl})`, rows: infoRows(alpha.info) }
          : { title: `Alpha (${alphaUrl})`, rows: [], note: alpha.error };
        return sendHtml(res, renderPage(ctx.name, icon, [{ title: 'This process', rows: infoRows(demoInfo(ctx)) }, alphaSection]));
      }
      case '/api/info': {
        const alpha = await fetchAlphaInfo(alphaUrl, upstream);
        return sendJson(res, 200, { ...demoInfo(ctx), alphaUrl, alpha: alpha.ok ? alpha.info : null, alphaError: alpha.ok ? null : alpha.error });
      }
      case '/metrics': {
        const demo = ctx.name;
        const families = [
          ...baseMetrics(ctx),
          {
            name: 'demo_upstream_requests_total',
            type: 'counter' as const,
            help: 'Calls to alpha, by result.',
            samples: [
              { labels: { demo, upstream: 'alpha', result: 'ok' }, value: upstream.ok },
              { labels: { demo, upstream: 'alpha', result: 'error' }, value: upstream.error },
            ],
          },
        ];
        return sendText(res, 200, formatMetrics(families), METRICS_CONTENT_TYPE);
      }
      default:
        return sendNotFound(res, req.method, path);
    }
  };
}
