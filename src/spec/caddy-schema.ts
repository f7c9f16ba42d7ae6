// The `caddy` block of a service spec (HTTP exposure through the node's managed Caddy): its
// input schema, the matcher mini-language of route `match` strings (host(`app.localhost`)), and the
// normalized form src/caddy builds Caddy's JSON config from. Pure: no I/O.
import { z } from 'zod';
import { DURATION_EXPECTED, DURATION_PATTERN } from './duration.ts';

const NON_EMPTY = 'non-empty string';
const text = z.string({ error: NON_EMPTY }).regex(/\S/, { error: NON_EMPTY });
// Repeated from schema.ts's durationSchema so schema.ts can import this file without a cycle.
const duration = z.union(
  [
    z.number({ error: DURATION_EXPECTED }).min(0, { error: DURATION_EXPECTED }),
    z.string({ error: DURATION_EXPECTED }).regex(DURATION_PATTERN, { error: DURATION_EXPECTED }),
  ],
  { error: DURATION_EXPECTED },
);

/** Matcher functions a `match` string may call, and the Caddy matcher each becomes. */
export const MATCHER_FUNCTIONS = ['host', 'path', 'method', 'header', 'remote_ip'] as const;
/** What a malformed matcher is reported against. */
export const MATCHER_EXPECTED = 'a matcher such as host(`app.localhost`), path(`/api/*`), method(`GET`), header(`X-Env`, `dev`) or remote_ip(`10.0.0.0/8`)';

/** One Caddy matcher set (the JSON form: every key must match). */
export type MatcherSet = {
  host?: string[];
  path?: string[];
  method?: string[];
  header?: Record<string, string[]>;
  remote_ip?: { ranges: string[] };
};

const CALL = /^\s*([A-Za-z_]+)\s*\((.*)\)\s*$/s;
const ARG = /\s*(?:`([^`]*)`|"([^"]*)"|'([^']*)')\s*(,|$)/y;

/** Parses one matcher string into its function and arguments; null when malformed. */
export function parseMatcher(src: string): { fn: (typeof MATCHER_FUNCTIONS)[number]; args: string[] } | null {
  const call = CALL.exec(src);
  if (call === null) return null;
  const fn = (call[1] as string).toLowerCase() as (typeof MATCHER_FUNCTIONS)[number];
  if (!MATCHER_FUNCTIONS.includes(fn)) return null;
  const body = call[2] as string;
  const args: string[] = [];
  ARG.lastIndex = 0;
  while (ARG.lastIndex < body.length) {
    const start = ARG.lastIndex;
    const m = ARG.exec(body);
    if (m === null || ARG.lastIndex === start) return null;
    args.push(m[1] ?? m[2] ?? m[3] ?? '');
    if (m[4] === '') break;
  }
  if (ARG.lastIndex < body.trimEnd().length || args.length === 0 || args.some((a) => a.trim() === '')) return null;
  if (fn === 'header' && args.length < 2) return null;
  if (fn === 'path' && args.some((a) => !a.startsWith('/') && a !== '*')) return null;
  return { fn, args };
}

/** The Caddy matcher set of a route's `match` strings (all of them must match). */
export function matcherSet(match: readonly string[]): MatcherSet {
  const set: MatcherSet = {};
  for (const src of match) {
    const m = parseMatcher(src);
    if (m === null) continue;
    if (m.fn === 'header') {
      const [name, ...values] = m.args as [string, ...string[]];
      set.header = { ...set.header, [name]: values };
    } else if (m.fn === 'remote_ip') set.remote_ip = { ranges: [...(set.remote_ip?.ranges ?? []), ...m.args] };
    else set[m.fn] = [...(set[m.fn] ?? []), ...(m.fn === 'method' ? m.args.map((a) => a.toUpperCase()) : m.args)];
  }
  return set;
}

const matcher = z.string({ error: MATCHER_EXPECTED }).refine((s) => parseMatcher(s) !== null, { error: MATCHER_EXPECTED });

/** What an upstream may be written as. */
export const UPSTREAM_EXPECTED = 'an upstream such as {ports.http}, {services.api.ports.http} or host:port';
const UPSTREAM = /^(?:\{ports\.[A-Za-z0-9_-]+\}|(?:[^\s{}:]+:)?\{services\.[A-Za-z0-9_.-]+\.ports\.[A-Za-z0-9_-]+\}|[^\s{}]+:\d{1,5})$/;

const healthCheck = z
  .strictObject({
    path: text.describe('Path Caddy polls on each upstream; a non-2xx answer takes it out of the rotation.'),
    interval: duration.optional().describe('Time between two checks. Default 2s.'),
    timeout: duration.optional().describe('How long a check may take. Default 1s.'),
    expectedStatus: z.number().int().min(100).max(599).optional().describe('Status that counts as healthy. Default: any 2xx.'),
  })
  .describe('Active health check of each upstream.');

const reverseProxy = z.strictObject({
  handler: z.literal('reverse_proxy').describe('The Caddy handler (module http.handlers.reverse_proxy).'),
  upstreams: z
    .array(z.string({ error: UPSTREAM_EXPECTED }).regex(UPSTREAM, { error: UPSTREAM_EXPECTED }))
    .min(1, { error: 'at least one upstream' })
    .describe('Where requests go; a port of a service of the project stands for each of its ready instances.'),
  health_check: healthCheck.optional(),
  lb_policy: z.enum(['round_robin', 'least_conn', 'random', 'first']).optional().describe('How an upstream is chosen. Default round_robin.'),
  try_duration: duration.optional().describe('How long a request may keep trying other upstreams when one fails. Default 5s.'),
  lb_try_interval: duration.optional().describe('Wait between two tries. Default 5ms.'),
});
const staticResponse = z.strictObject({
  handler: z.literal('static_response').describe('The Caddy handler (module http.handlers.static_response).'),
  status: z.number().int().min(100).max(599).optional().describe('Status of the response. Default 200.'),
  body: z.string().optional().describe('Body of the response.'),
});
const redirect = z.strictObject({
  handler: z.literal('redirect').describe('The Caddy handler (module http.handlers.redirect).'),
  to: text.describe('Target URL of the redirect.'),
  status: z.number().int().min(300).max(399).optional().describe('Default 302.'),
});
const rewrite = z.strictObject({
  handler: z.literal('rewrite').describe('The Caddy handler (module http.handlers.rewrite).'),
  uri: text.optional().describe('New URI, with Caddy placeholders such as {http.request.uri.path}.'),
  strip_path_prefix: text.optional().describe('Prefix removed from the path before the next handler.'),
});
const encode = z.strictObject({
  handler: z.literal('encode').describe('The Caddy handler (module http.handlers.encode).'),
  encodings: z.array(z.enum(['gzip', 'zstd'])).min(1).optional().describe('Encodings offered. Default gzip and zstd.'),
});
const headers = z.strictObject({
  handler: z.literal('headers').describe('The Caddy handler (module http.handlers.headers).'),
  response: z.record(z.string(), z.string()).optional().describe('Response headers to set.'),
  request: z.record(z.string(), z.string()).optional().describe('Request headers to set.'),
});
const fileServer = z.strictObject({ handler: z.literal('file_server').describe('The Caddy handler (module http.handlers.file_server).'), root: text.describe('Directory served.') });
// A module outside the standard build: its fields go to Caddy as written.
const rateLimit = z.looseObject({ handler: z.literal('rate_limit').describe('The Caddy handler (module http.handlers.rate_limit).') });

/** Handlers a route may use. */
export const CADDY_HANDLERS = ['reverse_proxy', 'static_response', 'redirect', 'rewrite', 'encode', 'headers', 'file_server', 'rate_limit'] as const;
const HANDLER_EXPECTED = `a handler: ${CADDY_HANDLERS.join(', ')}`;

const handler = z.discriminatedUnion('handler', [reverseProxy, staticResponse, redirect, rewrite, encode, headers, fileServer, rateLimit], {
  error: HANDLER_EXPECTED,
});

/** A route as written: matchers and the handlers that serve what they match. */
export const caddyRouteSchema = z.strictObject({
  match: z.union([matcher, z.array(matcher)], { error: MATCHER_EXPECTED }).optional().describe('Matchers, all of which must match (none: everything).'),
  handle: z.array(handler).min(1, { error: 'at least one handler' }).describe('Handlers in order.'),
});

/** `config.caddy.templates.<name>`: a route shared by specs, with per-region and per-node variants. */
export const caddyTemplateSchema = caddyRouteSchema.extend({
  regions: z.record(z.string(), caddyRouteSchema).optional().describe('Variants for nodes tagged region=<name>.'),
  nodes: z.record(z.string(), caddyRouteSchema).optional().describe('Variants for one node id (wins over a region).'),
});

/** The `caddy` block of a service spec. */
export const caddySchema = z
  .strictObject({
    expose: z.boolean().default(false).describe('Serve this service through the node\'s Caddy; false keeps the routes out of the config.'),
    hosts: z.array(text).optional().describe('Host names of the default route and of TLS certificates.'),
    tls: z.enum(['internal', 'acme', 'off']).optional().describe('internal: Caddy\'s own CA (offline, default); acme: public certificates; off: HTTP only.'),
    template: z.union([text, z.array(text)]).optional().describe('Names of routes in config.caddy.templates to use.'),
    routes: z.array(caddyRouteSchema).optional().describe('Routes; none and no template: the hosts (or everything) to the primary port.'),
  })
  .describe('HTTP exposure through the node\'s managed Caddy (docs/caddy.md).');

/** One handler as written. */
export type CaddyHandlerInput = z.output<typeof handler>;
/** A route as written. */
export type CaddyRouteInput = z.output<typeof caddyRouteSchema>;
/** A template as written. */
export type CaddyTemplateInput = z.output<typeof caddyTemplateSchema>;

/** A route after normalization. */
export interface CaddyRouteSpec {
  match: string[];
  handle: CaddyHandlerInput[];
}

/** The normalized `caddy` block. */
export interface CaddySpec {
  expose: boolean;
  hosts: string[];
  tls: 'internal' | 'acme' | 'off';
  templates: string[];
  routes: CaddyRouteSpec[];
}

/** Normalizes a parsed `caddy` block. */
export function normalizeCaddy(p: z.output<typeof caddySchema>): CaddySpec {
  return {
    expose: p.expose,
    hosts: p.hosts ?? [],
    tls: p.tls ?? 'internal',
    templates: p.template === undefined ? [] : typeof p.template === 'string' ? [p.template] : p.template,
    routes: (p.routes ?? []).map(normalizeRoute),
  };
}

/** A route with its `match` always a list. */
export function normalizeRoute(r: CaddyRouteInput): CaddyRouteSpec {
  return { match: r.match === undefined ? [] : typeof r.match === 'string' ? [r.match] : r.match, handle: r.handle };
}
