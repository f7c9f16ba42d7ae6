// What every route handler gets: the node's live state, its bus, its settings, the metrics,
// and the one command path. Routes of other modules (the dashboard) are written against
// this interface and mounted by the server, so the API never imports the UIs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BusWriter } from '../bus/index.ts';
import type { CommandVerb } from '../events/index.ts';
import type { RunOp, RunReply, RunRequest } from '../runs/core/index.ts';
import type { MemberRow } from '../views/index.ts';
import type { CommandOutcome } from './commands.ts';
import type { LiveState } from './live-state.ts';
import type { ApiMetrics } from './metrics.ts';
import type { SseConnection, SseConnectionOptions, StreamKind } from './sse-connection.ts';

export type { StreamKind };

/** Everything a route handler may use. */
export interface ApiContext {
  readonly bus: BusWriter;
  /** This node's id. */
  readonly node: string;
  readonly live: LiveState;
  readonly metrics: ApiMetrics;
  /** The configured token, if any (routes that render URLs for a browser need it). */
  readonly token: string | undefined;
  /** Commands are refused with 403. */
  readonly readOnly: boolean;
  /** Host name to put in links to services' ports. */
  readonly linkHost: string;
  /** Sends a command to the service's controller; `component` names the asking UI. */
  command(verb: CommandVerb, service: string, component: string): Promise<CommandOutcome>;
  /** The membership's judgement of the cluster's nodes, or null when this node has none. */
  members(): MemberRow[] | null;
  /** The log file of a service of this node, or null for services of other nodes. */
  logFile(service: string): string | null;
  /** logging.format of a service of this node (json lines are shown as level and message). */
  logFormat(key: string): 'text' | 'json' | undefined;
  /** Answers a run registry request (this node's registry, or any node's over the bus). */
  runs(op: RunOp, req: RunRequest): Promise<RunReply>;
  /** Opens an event stream on a response (bounded queue, keep-alive, tracked for shutdown). */
  openStream(req: IncomingMessage, res: ServerResponse, kind: StreamKind, opts?: Partial<SseConnectionOptions>): SseConnection;
}

/** A request as a handler sees it. */
export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Path parameters by name (`:id` in the pattern). */
  params: Record<string, string>;
}

/** One route: method, path pattern with `:name` segments, and its handler. */
export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** False for the routes open without the token (only /healthz). */
  auth?: boolean;
  handle(r: RouteRequest, ctx: ApiContext): Promise<void> | void;
}

/** Routes another module adds to the server (the dashboard under /status). */
export type RouteMount = (ctx: ApiContext) => Route[];
