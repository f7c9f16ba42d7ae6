// Alpha's web layer; beta reuses the page, info, metrics and response helpers.
export { createAlphaHandler } from './handler.ts';
export { sendHtml, sendJson, sendNotFound, sendText } from './http.ts';
export { renderPage, escapeHtml } from './page.ts';
export type { PageRow, PageSection } from './page.ts';
export { demoInfo, infoRows } from './info.ts';
export type { DemoInfo } from './info.ts';
export { baseMetrics, formatMetrics, METRICS_CONTENT_TYPE } from './metrics.ts';
export type { MetricFamily } from './metrics.ts';
