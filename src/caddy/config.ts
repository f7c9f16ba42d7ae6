// Caddy's JSON config from the specs' `caddy` blocks and the ready instances of the state. Pure:
// the same input always gives the same config, so the manager can compare two configs and push
// only a change. Upstreams naming a port of a service become every ready instance's host:port;
// a route whose services have no ready instance answers 503 rather than proxying nowhere.
import { matcherSet, normalizeRoute, parseDuration, templateRoute } from '../spec/index.ts';
import type { CaddyHandlerInput, CaddyRouteSpec, MatcherSet, ServiceSpec } from '../spec/index.ts';

/** A ready instance as the config needs it. */
export interface EdgeInstance {
  service: string;
  /** Record key (`alpha`, `alpha@2`). */
  id: string;
  host: string;
  ports: Record<string, number>;
}

/** Everything the config is built from. */
export interface EdgeInput {
  node: string;
  tags: readonly string[];
  ports: { http: number; https: number; admin: number };
  /** Specs of the project's services; those with `caddy.expose: true` get routes. */
  specs: readonly ServiceSpec[];
  templates: Readonly<Record<string, unknown>>;
  /** Ready instances of every service (any node). */
  instances: readonly EdgeInstance[];
}

/** One route of the built config, as views show it. */
export interface EdgeRoute {
  hosts: string[];
  paths: string[];
  services: string[];
  upstreams: string[];
}

/** The built config, its route table, the modules it needs and the problems met. */
export interface EdgeConfig {
  json: Record<string, unknown>;
  table: EdgeRoute[];
  upstreamCount: number;
  /** Caddy modules the config uses, each with the spec path that needs it. */
  modules: { module: string; path: string }[];
  /** Templates named by a spec but not defined: path and name. */
  problems: { path: string; message: string }[];
}

const OWN_PORT = /^\{ports\.([A-Za-z0-9_-]+)\}$/;
const SERVICE_PORT = /\{services\.([A-Za-z0-9_.-]+)\.ports\.([A-Za-z0-9_-]+)\}$/;
const LITERAL = /^(.+):(\d{1,5})$/;
// Requests that may be sent again after an upstream dropped them mid-way (safe methods).
const RETRY_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/** Builds Caddy's JSON config (with its admin block, so a /load keeps the admin port). */
export function buildEdgeConfig(input: EdgeInput): EdgeConfig {
  const table: EdgeRoute[] = [];
  const modules: EdgeConfig['modules'] = [];
  const problems: EdgeConfig['problems'] = [];
  const plain: unknown[] = [];
  const secure: unknown[] = [];
  const tls = { internal: new Set<string>(), acme: new Set<string>() };
  const upstreams = new Set<string>();
  for (const spec of [...input.specs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const caddy = spec.caddy;
    if (caddy === undefined || !caddy.expose) continue;
    const routes: { route: CaddyRouteSpec; path: string }[] = caddy.routes.map((route, i) => ({ route, path: `services.${spec.id}.caddy.routes[${i}]` }));
    caddy.templates.forEach((name, i) => {
      const path = `services.${spec.id}.caddy.template${caddy.templates.length > 1 ? `[${i}]` : ''}`;
      const route = Object.hasOwn(input.templates, name) ? templateRoute(input.templates[name], input.node, input.tags) : null;
      if (route === null) problems.push({ path, message: `config.caddy.templates has no valid template "${name}"` });
      else routes.push({ route, path });
    });
    if (routes.length === 0) {
      const port = spec.ports.primary !== undefined ? 'primary' : spec.ports.additional[0]?.name;
      if (port !== undefined) routes.push({ route: normalizeRoute({ handle: [{ handler: 'reverse_proxy', upstreams: [`{ports.${port}}`] }] }), path: `services.${spec.id}.caddy` });
    }
    for (const { route, path } of routes) {
      const match = matcherSet(route.match);
      if (match.host === undefined && caddy.hosts.length > 0) match.host = [...caddy.hosts];
      const row: EdgeRoute = { hosts: match.host ?? [], paths: match.path ?? [], services: [], upstreams: [] };
      for (const key of Object.keys(match)) modules.push({ module: `http.matchers.${key}`, path });
      const handle = route.handle.map((h, i) => {
        modules.push({ module: `http.handlers.${h.handler === 'redirect' ? 'static_response' : h.handler}`, path: `${path}.handle[${i}]` });
        return handlerJson(h, spec, input, row);
      });
      row.upstreams.forEach((u) => upstreams.add(u));
      const json = { match: isEmpty(match) ? undefined : [match], handle, terminal: true };
      plain.push(json);
      if (row.hosts.length > 0 && caddy.tls !== 'off') {
        secure.push(json);
        for (const h of row.hosts) tls[caddy.tls].add(h);
      }
      table.push(row);
    }
  }
  if (tls.internal.size > 0) modules.push({ module: 'tls.issuance.internal', path: 'caddy.tls' });
  if (tls.acme.size > 0) modules.push({ module: 'tls.issuance.acme', path: 'caddy.tls' });
  const servers: Record<string, unknown> = {
    http: { listen: [`:${input.ports.http}`], routes: plain, automatic_https: { disable: true } },
  };
  if (secure.length > 0) servers.https = { listen: [`:${input.ports.https}`], routes: secure, automatic_https: { disable_redirects: true } };
  const policies = [
    ...(tls.internal.size > 0 ? [{ subjects: [...tls.internal].sort(), issuers: [{ module: 'internal' }] }] : []),
    ...(tls.acme.size > 0 ? [{ subjects: [...tls.acme].sort(), issuers: [{ module: 'acme' }] }] : []),
  ];
  const json: Record<string, unknown> = {
    admin: { listen: `127.0.0.1:${input.ports.admin}`, config: { persist: false } },
    apps: {
      http: { http_port: input.ports.http, https_port: input.ports.https, servers },
      ...(policies.length > 0 ? { tls: { automation: { policies } } } : {}),
      // The internal CA is never added to the machine's trust store: that needs root and a
      // prompt, and clients are told to trust it explicitly (docs/caddy.md).
      pki: { certificate_authorities: { local: { install_trust: false } } },
    },
  };
  return { json, table, upstreamCount: upstreams.size, modules: dedupe(modules), problems };
}

function handlerJson(h: CaddyHandlerInput, spec: ServiceSpec, input: EdgeInput, row: EdgeRoute): Record<string, unknown> {
  switch (h.handler) {
    case 'reverse_proxy': {
      const dials: string[] = [];
      const services = new Set<string>();
      for (const u of h.upstreams) {
        const resolved = resolveUpstream(u, spec, input);
        resolved.services.forEach((s) => services.add(s));
        dials.push(...resolved.dials);
      }
      row.services.push(...[...services].filter((s) => !row.services.includes(s)));
      const unique = [...new Set(dials)];
      row.upstreams.push(...unique.filter((d) => !row.upstreams.includes(d)));
      if (unique.length === 0) {
        return { handler: 'static_response', status_code: 503, body: `no ready instance of ${[...services].join(', ') || spec.id}\n`, close: false };
      }
      const hc = h.health_check;
      return {
        handler: 'reverse_proxy',
        upstreams: unique.map((dial) => ({ dial })),
        transport: { protocol: 'http', dial_timeout: '1s' },
        load_balancing: {
          selection_policy: { policy: h.lb_policy ?? 'round_robin' },
          try_duration: ms(h.try_duration, 5_000),
          // Short: a retry waiting when a new config is loaded is cancelled with the old config.
          try_interval: ms(h.lb_try_interval, 5),
          retry_match: [{ method: RETRY_METHODS }],
        },
        health_checks: {
          passive: { fail_duration: '10s', max_fails: 1 },
          ...(hc === undefined
            ? {}
            : { active: { uri: hc.path, interval: ms(hc.interval, 2_000), timeout: ms(hc.timeout, 1_000), ...(hc.expectedStatus ? { expect_status: hc.expectedStatus } : {}) } }),
        },
      };
    }
    case 'redirect':
      return { handler: 'static_response', status_code: h.status ?? 302, headers: { Location: [h.to] } };
    case 'static_response':
      return { handler: 'static_response', ...(h.status !== undefined ? { status_code: h.status } : {}), ...(h.body !== undefined ? { body: h.body } : {}) };
    case 'encode':
      return { handler: 'encode', encodings: Object.fromEntries((h.encodings ?? ['gzip', 'zstd']).map((e) => [e, {}])) };
    case 'headers':
      return {
        handler: 'headers',
        ...(h.response ? { response: { set: Object.fromEntries(Object.entries(h.response).map(([k, v]) => [k, [v]])) } } : {}),
        ...(h.request ? { request: { set: Object.fromEntries(Object.entries(h.request).map(([k, v]) => [k, [v]])) } } : {}),
      };
    case 'rewrite':
    case 'file_server':
    case 'rate_limit':
      return { ...h };
  }
}

/** The instance addresses an upstream stands for, and the services they belong to. */
export function resolveUpstream(u: string, spec: ServiceSpec, input: EdgeInput): { dials: string[]; services: string[] } {
  const own = OWN_PORT.exec(u);
  if (own !== null) return { dials: dialsOf(spec.id, own[1] as string, input), services: [spec.id] };
  const other = SERVICE_PORT.exec(u);
  if (other !== null) return { dials: dialsOf(other[1] as string, other[2] as string, input), services: [other[1] as string] };
  const literal = LITERAL.exec(u);
  if (literal !== null) {
    // The literal port of a fixed-port service stands for that service's instances.
    const port = Number(literal[2]);
    for (const s of input.specs) {
      const name = fixedPortName(s, port);
      if (name !== null) return { dials: dialsOf(s.id, name, input), services: [s.id] };
    }
  }
  return { dials: [u], services: [] };
}

function fixedPortName(spec: ServiceSpec, port: number): string | null {
  if (spec.portStrategy !== 'fixed') return null;
  if (spec.ports.primary?.port === port) return 'primary';
  return spec.ports.additional.find((p) => p.port === port)?.name ?? null;
}

function dialsOf(service: string, port: string, input: EdgeInput): string[] {
  const out: string[] = [];
  for (const i of input.instances) {
    const p = i.service === service ? i.ports[port] : undefined;
    if (p !== undefined && p > 0) out.push(`${i.host}:${p}`);
  }
  return out.sort();
}

function ms(value: string | number | undefined, fallback: number): string {
  return `${value === undefined ? fallback : (parseDuration(value) ?? fallback)}ms`;
}

function isEmpty(m: MatcherSet): boolean {
  return Object.keys(m).length === 0;
}

function dedupe(modules: EdgeConfig['modules']): EdgeConfig['modules'] {
  const seen = new Set<string>();
  return modules.filter((m) => (seen.has(m.module) ? false : (seen.add(m.module), true)));
}
