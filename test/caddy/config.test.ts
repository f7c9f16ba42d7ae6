// The pure config builder: upstreams naming a port become every ready instance, a literal port
// of a fixed-port service stands for that service, templates pick their node or region variant,
// a route without a ready instance answers 503, and the admin block is always there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEdgeConfig } from '../../src/caddy/index.ts';
import type { EdgeInput } from '../../src/caddy/index.ts';
import { validateProject } from '../../src/spec/index.ts';
import type { ServiceSpec } from '../../src/spec/index.ts';

function specs(raw: Record<string, unknown>): ServiceSpec[] {
  const r = validateProject(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return Object.values(r.project.services);
}

const cmd = { command: 'x' };
const base = (over: Partial<EdgeInput>): EdgeInput => ({ node: 'n1', tags: [], ports: { http: 8080, https: 8443, admin: 2999 }, specs: [], templates: {}, instances: [], ...over });
const routesOf = (json: Record<string, unknown>, server: string): { match?: unknown[]; handle: Record<string, unknown>[] }[] =>
  ((json.apps as { http: { servers: Record<string, { routes: never[] }> } }).http.servers[server]?.routes ?? []) as never;

test('a service port becomes every ready instance; the literal port of a fixed-port service stands for it', () => {
  const all = specs({
    services: {
      api: { process: cmd, ports: { primary: { port: 7101 } }, replicas: 2 },
      web: {
        process: cmd,
        ports: { primary: { port: 0 } },
        portStrategy: 'random',
        caddy: { expose: true, routes: [{ match: ['host(`web.localhost`)', 'path(`/api/*`)'], handle: [{ handler: 'reverse_proxy', upstreams: ['127.0.0.1:7101'] }] }, { match: 'host(`web.localhost`)', handle: [{ handler: 'reverse_proxy', upstreams: ['{ports.primary}'] }] }] },
      },
    },
  });
  const built = buildEdgeConfig(
    base({
      specs: all,
      instances: [
        { service: 'api', id: 'api', host: '127.0.0.1', ports: { primary: 7101 } },
        { service: 'api', id: 'api@2', host: '10.0.0.2', ports: { primary: 7101 } },
      ],
    }),
  );
  assert.deepEqual(built.json.admin, { listen: '127.0.0.1:2999', config: { persist: false } });
  assert.deepEqual(built.table, [
    { hosts: ['web.localhost'], paths: ['/api/*'], services: ['api'], upstreams: ['10.0.0.2:7101', '127.0.0.1:7101'] },
    { hosts: ['web.localhost'], paths: [], services: ['web'], upstreams: [] },
  ]);
  const [apiRoute, webRoute] = routesOf(built.json, 'https');
  assert.deepEqual(apiRoute?.match, [{ host: ['web.localhost'], path: ['/api/*'] }]);
  assert.deepEqual(apiRoute?.handle[0]?.upstreams, [{ dial: '10.0.0.2:7101' }, { dial: '127.0.0.1:7101' }]);
  assert.equal(webRoute?.handle[0]?.handler, 'static_response', 'no ready instance of web: 503');
  assert.equal(webRoute?.handle[0]?.status_code, 503);
  assert.deepEqual((built.json.apps as { tls: unknown }).tls, { automation: { policies: [{ subjects: ['web.localhost'], issuers: [{ module: 'internal' }] }] } });
  assert.equal(built.upstreamCount, 2);
});

test('a template gives a node its own variant, else its region’s, else the template; unknown templates are problems', () => {
  const templates = {
    web: {
      match: 'host(`any.localhost`)',
      handle: [{ handler: 'reverse_proxy', upstreams: ['{ports.primary}'] }],
      regions: { eu: { match: 'host(`eu.localhost`)', handle: [{ handler: 'reverse_proxy', upstreams: ['{ports.primary}'] }] } },
      nodes: { n9: { match: 'host(`n9.localhost`)', handle: [{ handler: 'static_response', body: 'n9' }] } },
    },
  };
  const all = specs({ config: { caddy: { templates } }, services: { web: { process: cmd, ports: { primary: { port: 7000 } }, caddy: { expose: true, template: 'web' } } } });
  const hosts = (node: string, tags: string[]): string[] => buildEdgeConfig(base({ node, tags, specs: all, templates })).table.flatMap((r) => r.hosts);
  assert.deepEqual(hosts('n1', []), ['any.localhost']);
  assert.deepEqual(hosts('n1', ['region=eu']), ['eu.localhost']);
  assert.deepEqual(hosts('n9', ['region=eu']), ['n9.localhost']);
  assert.deepEqual(buildEdgeConfig(base({ specs: all })).problems, [{ path: 'services.web.caddy.template', message: 'config.caddy.templates has no valid template "web"' }]);
});

test('tls off keeps a route on the HTTP server only; expose false keeps it out; the modules used are listed', () => {
  const all = specs({
    services: {
      a: { process: cmd, ports: { primary: { port: 7001 } }, caddy: { expose: true, hosts: ['a.localhost'], tls: 'off' } },
      b: { process: cmd, ports: { primary: { port: 7002 } }, caddy: { expose: false, hosts: ['b.localhost'] } },
    },
  });
  const built = buildEdgeConfig(base({ specs: all, instances: [{ service: 'a', id: 'a', host: '127.0.0.1', ports: { primary: 7001 } }] }));
  assert.equal(routesOf(built.json, 'http').length, 1);
  assert.equal(routesOf(built.json, 'https').length, 0);
  assert.deepEqual(built.modules.map((m) => m.module).sort(), ['http.handlers.reverse_proxy', 'http.matchers.host']);
});
