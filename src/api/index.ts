// Public entry of the HTTP API (a shell): REST, the resumable event stream, Prometheus metrics,
// and the plumbing the dashboard mounts onto (context, SSE framing, bounded SSE connections).
export { startApiServer } from './server.ts';
export type { ApiServer, ApiServerOptions } from './server.ts';
export type { ApiContext, Route, RouteMount, RouteRequest, StreamKind } from './context.ts';
export { HttpError, ApiListenError } from './errors.ts';
export { LiveState } from './live-state.ts';
export type { LiveEvent, LiveListener, BrokerLink, LiveStateOptions } from './live-state.ts';
export { ApiMetrics } from './metrics.ts';
export { SseConnection } from './sse-connection.ts';
export type { SseConnectionOptions } from './sse-connection.ts';
export { sseEvent, sseComment, SSE_HEADERS } from './sse.ts';
export type { SseFrame } from './sse.ts';
export { sendJson, sendError } from './respond.ts';
export { openApiDocument } from './openapi.ts';
export { mergedLogTail } from './rest.ts';
export { runRoutes, readJsonBody } from './runs-route.ts';
export type { MergedLogLine } from './rest.ts';
export {
  serviceEntrySchema,
  servicesResponseSchema,
  serviceDetailResponseSchema,
  storedEventSchema,
  commandResponseSchema,
  errorResponseSchema,
  healthResponseSchema,
  logsResponseSchema,
  stateResponseSchema,
  eventsQuerySchema,
  logsQuerySchema,
  nodesResponseSchema,
  nodeRowSchema,
  nodeActionResponseSchema,
  serviceNameSchema,
} from './schemas.ts';
export type { CommandResult, CommandOutcome } from './commands.ts';
export { matchesFilter } from './events-route.ts';
export type { EventFilter } from './events-route.ts';
export { askNode } from './nodes-route.ts';
export { ApiClient, ApiRequestError } from './client.ts';
export type { ApiClientOptions, FollowItem, FollowOptions } from './client.ts';
export { SseParser } from './sse-parse.ts';
export type { SseMessage } from './sse-parse.ts';
