// The REST API against a running demo stack: list and detail validated with the schemas the
// OpenAPI document is generated from, commands answered with the controller's outcome
// (200, 404 unknown service, 409 impossible transition), log tails, /healthz.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  commandResponseSchema,
  errorResponseSchema,
  healthResponseSchema,
  logsResponseSchema,
  openApiDocument,
  serviceDetailResponseSchema,
  servicesResponseSchema,
  stateResponseSchema,
} from '../../src/api/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { demoStack, get, isAlive, post } from './helpers.ts';

let h: Harness;
let api: string;
before(async () => {
  h = await demoStack('api-rest');
  api = h.node.api.url;
});
after(() => h.close());

test('the node announces its API URL in node.up and the URL answers', async () => {
  const up = await h.waitForEvent('orchestrator.node.up');
  assert.equal(up.data.api, api);
  assert.match(api, /^http:\/\/127\.0\.0\.1:\d+$/);
  const health = await get(`${api}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(healthResponseSchema.parse(JSON.parse(health.body)).status, 'ok');
});

test('GET /api/v1/services lists the demo services ready, with live pids', async () => {
  const res = await get(`${api}/api/v1/services`);
  assert.equal(res.status, 200);
  assert.match(res.type, /^application\/json/);
  const body = servicesResponseSchema.parse(JSON.parse(res.body));
  assert.deepEqual(body.services.map((s) => [s.id, s.state]), [['alpha', 'ready'], ['beta', 'ready']]);
  for (const s of body.services) {
    assert.ok(s.pid !== null && (await isAlive(s.pid)), `${s.id}'s pid ${s.pid} is alive`);
    assert.ok((s.ports.primary ?? 0) > 0);
  }
  assert.ok(body.seq > 0);
});

test('GET /api/v1/services/{id} gives the detail with recent events; unknown ids are 404', async () => {
  const res = await get(`${api}/api/v1/services/beta`);
  assert.equal(res.status, 200);
  const body = serviceDetailResponseSchema.parse(JSON.parse(res.body));
  assert.equal(body.service.id, 'beta');
  assert.deepEqual(body.service.dependencies, [{ id: 'alpha', condition: 'ready' }]);
  assert.ok(body.events.some((e) => e.type === 'orchestrator.service.ready'));
  assert.ok(body.events.every((e) => (e.data as { service?: string }).service === 'beta'));
  const missing = await get(`${api}/api/v1/services/nope`);
  assert.equal(missing.status, 404);
  assert.equal(errorResponseSchema.parse(JSON.parse(missing.body)).error.code, 'unknown-service');
});

test('GET /api/v1/services/{id}/logs tails the service log', async () => {
  const res = await get(`${api}/api/v1/services/alpha/logs?lines=5`);
  assert.equal(res.status, 200);
  const body = logsResponseSchema.parse(JSON.parse(res.body));
  assert.ok(body.lines.some((l) => /alpha listening on http:\/\//.test(l)), body.lines.join('\n'));
  assert.equal((await get(`${api}/api/v1/services/alpha/logs?lines=0`)).status, 400);
});

test('GET /api/v1/state is the snapshot with its seq', async () => {
  const body = stateResponseSchema.parse(JSON.parse((await get(`${api}/api/v1/state`)).body));
  assert.ok(body.seq > 0);
  assert.equal(body.services.alpha?.state, 'ready');
});

test('commands answer with their outcome: 409 when impossible, 404 for unknown services and verbs', async () => {
  const refused = await post(`${api}/api/v1/services/alpha/start`);
  assert.equal(refused.status, 409);
  const r = commandResponseSchema.parse(refused.body);
  assert.equal(r.ok, false);
  assert.equal(r.code, 'invalid-transition');
  assert.match(r.message, /alpha is ready/);

  const unknown = await post(`${api}/api/v1/services/nope/restart`);
  assert.equal(unknown.status, 404);
  assert.equal(commandResponseSchema.parse(unknown.body).code, 'unknown-service');

  assert.equal((await post(`${api}/api/v1/services/alpha/explode`)).status, 404);
  assert.equal((await get(`${api}/api/v1/services/alpha/restart`)).status, 405);
});

test('POST restart restarts the process and is recorded with the asking component', async () => {
  const before = h.service('alpha').pid;
  const since = h.lastSeq();
  const res = await post(`${api}/api/v1/services/alpha/restart`, { 'X-Nestor-Component': 'rest-test' });
  assert.equal(res.status, 200);
  assert.deepEqual(commandResponseSchema.parse(res.body), { ok: true, service: 'alpha', verb: 'restart', message: res.body.message });
  const cmd = await h.waitForEvent('orchestrator.command.restart', (e) => e.data.service === 'alpha', { since });
  assert.equal(cmd.data.requestedBy.component, 'rest-test');
  const started = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'alpha', { since: cmd.seq, timeoutMs: 15_000 });
  assert.notEqual(started.data.pid, before);
  await h.waitForState('alpha', 'ready', { timeoutMs: 15_000 });
  assert.ok(await isAlive(started.data.pid));
});

test('the OpenAPI document covers every route and is built from the validating schemas', async () => {
  const res = await get(`${api}/api/v1/openapi.json`);
  assert.equal(res.status, 200);
  const doc = JSON.parse(res.body) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, Record<string, unknown>> } };
  assert.deepEqual(doc, JSON.parse(JSON.stringify(openApiDocument())));
  assert.equal(doc.openapi, '3.1.0');
  for (const path of ['/healthz', '/api/v1/nodes', '/api/v1/nodes/{id}/{action}', '/api/v1/services', '/api/v1/services/{id}', '/api/v1/services/{id}/logs', '/api/v1/services/{id}/{verb}', '/api/v1/events', '/api/v1/state', '/metrics', '/status']) {
    assert.ok(doc.paths[path], `${path} is documented`);
  }
  const service = doc.components.schemas.Service as { properties: Record<string, unknown>; required: string[] };
  assert.deepEqual(Object.keys(service.properties).sort(), Object.keys(servicesResponseSchema.shape.services.element.shape).sort());
  assert.ok(service.required.includes('state'));
  const verb = (doc.paths['/api/v1/services/{id}/{verb}']?.post as { parameters: { name: string; schema: { enum?: string[] } }[] }).parameters.find((p) => p.name === 'verb');
  assert.deepEqual(verb?.schema.enum, ['enable', 'disable', 'start', 'stop', 'restart', 'forget']);
  // Every $ref points at a component that exists.
  for (const ref of res.body.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(doc.components.schemas[ref[1] as string], `component ${ref[1]}`);
});
