// The REST API with a service of two instances on one node: rows with instances, an instance by
// name, commands to one instance or all, the nodes list, and node requests that nobody answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { commandResponseSchema, nodesResponseSchema, openApiDocument, serviceDetailResponseSchema, servicesResponseSchema } from '../../src/api/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { demo } from '../supervision/support.ts';
import { get, post } from './helpers.ts';

let h: Harness;
let api: string;
before(async () => {
  h = await createHarness({ name: 'api-instances', specs: { web: demo('alpha', { spec: { replicas: 2 } }) } });
  await h.waitForState('web', 'ready', { timeoutMs: 30_000 });
  await h.waitForState('web@2', 'ready', { timeoutMs: 30_000 });
  api = h.node.api.url;
});
after(() => h.close());

test('GET /api/v1/services: one row for web listing both instances', async () => {
  const body = servicesResponseSchema.parse(JSON.parse((await get(`${api}/api/v1/services`)).body));
  const [web] = body.services;
  assert.equal(web?.id, 'web');
  assert.deepEqual(web?.instances.map((i) => [i.id, i.pid]), [
    ['web@1', h.service('web').pid],
    ['web@2', h.service('web@2').pid],
  ]);
});

test('GET /api/v1/services/{id} takes an instance name; an unknown one is 404', async () => {
  const res = await get(`${api}/api/v1/services/web@2`);
  assert.equal(res.status, 200, res.body);
  const detail = serviceDetailResponseSchema.parse(JSON.parse(res.body));
  assert.equal(detail.service.id, 'web@2');
  assert.equal(detail.service.pid, h.service('web@2').pid);
  assert.equal((await get(`${api}/api/v1/services/web@9`)).status, 404);
});

test('POST restart on web@2 restarts that instance only; on web, both', async () => {
  const [p1, p2] = [h.service('web').pid, h.service('web@2').pid];
  const one = await post(`${api}/api/v1/services/web@2/restart`);
  assert.equal(one.status, 200, JSON.stringify(one.body));
  commandResponseSchema.parse(one.body);
  await h.waitUntil('web@2 restarted', (s) => s.services['web@2']?.state === 'ready' && s.services['web@2']?.pid !== p2);
  assert.equal(h.service('web').pid, p1);

  const both = await post(`${api}/api/v1/services/web/restart`);
  assert.equal(both.status, 200, JSON.stringify(both.body));
  await h.waitUntil('both restarted', (s) => s.services.web?.pid !== p1 && s.services.web?.state === 'ready' && s.services['web@2']?.state === 'ready');

  const unknown = await post(`${api}/api/v1/services/web@9/stop`);
  assert.equal(unknown.status, 404);
  assert.match(String(unknown.body.message), /web has web@1, web@2/);
});

test('GET /api/v1/nodes lists this node with its instances; drain of a silent or unknown node', async () => {
  const res = await get(`${api}/api/v1/nodes`);
  assert.equal(res.status, 200);
  const { nodes } = nodesResponseSchema.parse(JSON.parse(res.body));
  const me = nodes.find((n) => n.id === h.config.node);
  assert.equal(me?.state, 'alive');
  assert.deepEqual(me?.instances, ['web@1', 'web@2']);

  assert.equal((await post(`${api}/api/v1/nodes/nowhere/drain`)).status, 404);
  assert.equal((await post(`${api}/api/v1/nodes/${h.config.node}/explode`)).status, 404);
  const doc = openApiDocument() as { paths: Record<string, unknown> };
  assert.ok(doc.paths['/api/v1/nodes'] !== undefined && doc.paths['/api/v1/nodes/{id}/{action}'] !== undefined);
});
