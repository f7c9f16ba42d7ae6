// The node's HTTP server: REST, the event stream, metrics, and routes mounted by other modules
// (the dashboard). Started by bootNode as a shell of the node, after the controller and before
// the node announces itself, so its URL goes into `orchestrator.node.up` and the runtime info.
//
// In:  the bus, the node id and data dir, the api settings (host, port, token, readOnly,
//      allowedHosts), the
//      controller's running pids (for per-service CPU and memory), mounts.
// Out: an ApiServer with its base URL; close() ends every stream and stops the live state.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { BusWriter } from '../bus/index.ts';
import { requestRuns } from '../bus/index.ts';
import type { ApiConfig } from '../config/index.ts';
import { logFileOf } from '../process/index.ts';
import { getService } from '../state/index.ts';
import type { State } from '../state/index.ts';
import type { RunOp, RunReply, RunRequest } from '../runs/core/index.ts';
import type { RunHeartbeatAt } from './metrics-runs.ts';
import type { MemberRow } from '../views/index.ts';
import { isAuthorized } from './auth.ts';
import { sendCommand } from './commands.ts';
import type { ApiContext, Route, RouteMount, StreamKind } from './context.ts';
import { ApiListenError, HttpError } from './errors.ts';
import { RequestGuard } from './guard.ts';
import { LiveState } from './live-state.ts';
import { ApiMetrics } from './metrics.ts';
import { sendError } from './respond.ts';
import { nodeRoutes } from './nodes-route.ts';
import { restRoutes } from './rest.ts';
import { runRoutes } from './runs-route.ts';
import { matchRoute } from './router.ts';
import { SseConnection } from './sse-connection.ts';
import type { SseConnectionOptions } from './sse-connection.ts';

/** Options of {@link startApiServer}. */
export interface ApiServerOptions {
  bus: BusWriter;
  node: string;
  dataDir: string;
  api: Pick<ApiConfig, 'host' | 'port' | 'token' | 'readOnly'> & Partial<Pick<ApiConfig, 'allowedHosts'>>;
  /** Pids of this node's running services; derived from the state when absent. */
  runningPids?(): Record<string, number>;
  /** logging.format of a local service (by record key); absent: every log is shown as text. */
  logFormat?(key: string): 'text' | 'json' | undefined;
  /** The membership's judgement of the cluster's nodes (GET /api/v1/nodes); absent: the nodes' events alone. */
  members?: () => MemberRow[] | null;
  /** More routes (the dashboard). */
  mounts?: RouteMount[];
  /** Answers run registry requests (the node's registry); absent: they go over the bus to any node. */
  runs?: (op: RunOp, req: RunRequest) => Promise<RunReply>;
  /** Last heartbeats of the runs as the node's registry holds them (exact, where the stream has samples); absent: the stream's. */
  runHeartbeats?: () => readonly RunHeartbeatAt[];
  /** Frames a slow SSE client may have waiting before it is dropped (default 1000). */
  sseQueueLimit?: number;
  /** Interval of SSE keep-alive comments (default 15 s). */
  keepAliveMs?: number;
  onError?(err: unknown): void;
}

/** A running HTTP API. */
export interface ApiServer extends AsyncDisposable {
  /** Base URL, such as http://127.0.0.1:43121. */
  readonly url: string;
  readonly port: number;
  readonly live: LiveState;
  readonly metrics: ApiMetrics;
  /** Open event streams (REST events and dashboards). */
  streams(): number;
  /** Ends every open event stream (clients reconnect); for tests of reconnection. */
  dropStreams(): void;
  /** Ends every stream, stops listening and stops the live state; idempotent. */
  close(): Promise<void>;
}

/** Starts the live state and the HTTP server; resolves once it listens. */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const onError = opts.onError ?? ((err: unknown) => console.error('nestor api:', err));
  const live = new LiveState(opts.bus, { onError });
  const pids = opts.runningPids ?? (() => pidsOf(live.state, opts.node));
  const metrics = new ApiMetrics({ bus: opts.bus, live, node: opts.node, pids, ...(opts.runHeartbeats === undefined ? {} : { runHeartbeats: opts.runHeartbeats }) });
  live.subscribe((item, state, previous) => metrics.observe(item, state, previous));
  await live.start();

  const streams = new Set<SseConnection>();
  const logsDir = join(opts.dataDir, 'logs');
  const host = opts.api.host;
  const ctx: ApiContext = {
    bus: opts.bus,
    node: opts.node,
    live,
    metrics,
    token: opts.api.token,
    readOnly: opts.api.readOnly,
    linkHost: host === '0.0.0.0' || host === '::' ? hostname() : host,
    command: (verb, service, component) => sendCommand(opts.bus, live.state, verb, service, { node: opts.node, component }),
    members: () => opts.members?.() ?? null,
    logFormat: (key) => opts.logFormat?.(key),
    logFile: (service) => (getService(live.state, service)?.node === opts.node ? logFileOf(logsDir, service) : null),
    openStream: (req, res, kind, o) => openStream(req, res, kind, o),
    runs: opts.runs ?? ((op, req) => requestRuns(opts.bus, op, req)),
  };
  const openStream = (req: IncomingMessage, res: ServerResponse, kind: StreamKind, o: Partial<SseConnectionOptions> = {}): SseConnection => {
    metrics.streamOpened(kind);
    const conn = new SseConnection(req, res, {
      queueLimit: opts.sseQueueLimit ?? 1000,
      keepAliveMs: opts.keepAliveMs ?? 15_000,
      retryMs: 1000,
      ...o,
      onDrop: () => metrics.streamDropped(kind),
      onClose: () => {
        streams.delete(conn);
        metrics.streamClosed(kind);
      },
    });
    streams.add(conn);
    return conn;
  };
  const routes: Route[] = [...restRoutes(), ...nodeRoutes(), ...runRoutes(), metricsRoute(), ...(opts.mounts ?? []).flatMap((mount) => mount(ctx))];
  const server = createServer();
  server.keepAliveTimeout = 5_000;
  try {
    await listen(server, host, opts.api.port);
  } catch (err) {
    await live.stop();
    throw new ApiListenError(host, opts.api.port, { cause: err });
  }
  const port = (server.address() as AddressInfo).port;
  // The guard needs the port actually bound (api.port 0 picks one), so requests are taken only
  // from here on; none can arrive before this synchronous continuation of listen's callback.
  const guard = new RequestGuard({ host, port, allowedHosts: opts.api.allowedHosts, machineName: hostname() });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => void handle(req, res, routes, ctx, guard, onError));
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      for (const s of [...streams]) s.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await live.stop();
    })());
  return {
    url: `http://${urlHost}:${port}`,
    port,
    live,
    metrics,
    streams: () => streams.size,
    dropStreams: () => {
      for (const s of [...streams]) s.close();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function metricsRoute(): Route {
  return {
    method: 'GET',
    path: '/metrics',
    handle: async ({ res }, ctx) => {
      const { contentType, body } = await ctx.metrics.render();
      res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
      res.end(body);
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, routes: Route[], ctx: ApiContext, guard: RequestGuard, onError: (err: unknown) => void): Promise<void> {
  try {
    // Before routing, so a foreign page learns nothing, not even which routes exist.
    guard.checkHost(req);
    guard.checkOrigin(req);
    guard.checkContentType(req);
    const url = new URL(req.url ?? '/', 'http://nestor.invalid');
    if (url.pathname === '/' && req.method === 'GET') {
      res.writeHead(302, { Location: `/status${url.search}` }).end();
      return;
    }
    const { match, allowed } = matchRoute(routes, req.method ?? 'GET', url.pathname);
    if (match === null) {
      if (allowed.length > 0) throw Object.assign(new HttpError(405, 'method-not-allowed', `use ${allowed.join(' or ')} for ${url.pathname}`), { allowed });
      throw new HttpError(404, 'not-found', `no route for ${req.method} ${url.pathname}`);
    }
    if (match.route.auth !== false && !isAuthorized(req, url, ctx.token)) {
      throw new HttpError(401, 'unauthorized', 'this API needs its token: send "Authorization: Bearer <token>" or add ?token=<token>');
    }
    await match.route.handle({ req, res, url, params: match.params }, ctx);
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      if (!(err instanceof HttpError)) onError(err);
      return;
    }
    if (err instanceof HttpError) {
      const headers: Record<string, string> = err.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="nestor"' } : {};
      const allowed = (err as HttpError & { allowed?: string[] }).allowed;
      if (allowed !== undefined) headers.Allow = allowed.join(', ');
      sendError(res, err, headers);
      return;
    }
    onError(err);
    sendError(res, new HttpError(500, 'internal', (err as Error).message ?? String(err)));
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function pidsOf(state: State, node: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of Object.values(state.services)) if (s.node === node && s.pid !== null && (s.state === 'running' || s.state === 'ready' || s.state === 'stopping')) out[s.id] = s.pid;
  return out;
}
