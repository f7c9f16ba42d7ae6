// Public entry of the web dashboard: routes the API server mounts at /status (Datastar over
// SSE, HTML templates under templates/), and the renderers the tests and docs use.
export { dashboardRoutes } from './dashboard.ts';
export { renderPage } from './page.ts';
export type { PageInput } from './page.ts';
export { renderGraph } from './graph-svg.ts';
export { renderHeader, renderServices, renderDetail, renderDetails, renderFeed, renderHelp, renderToast } from './render.ts';
export type { RenderContext } from './render.ts';
export { mergeFragments, mergeSignals, datastarBundle } from './datastar.ts';
