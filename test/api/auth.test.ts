// The API token and read-only mode: every route but /healthz answers 401 without the token
// (header or ?token=), commands answer 403 in read-only mode, through REST and the dashboard.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/api/index.ts';
import type { ApiServer } from '../../src/api/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { dashboardRoutes } from '../../src/ui/web/index.ts';
import { get, post } from './helpers.ts';

const TOKEN = "s3cret/'tok en";
let h: Harness;
let api: string;
let writable: ApiServer;
before(async () => {
  h = await createHarness({ name: 'api-auth', flags: { api: { token: TOKEN, readOnly: true } } });
  api = h.node.api.url;
  // A second server on the same bus with the token but without read-only mode.
  writable = await startApiServer({ bus: h.bus, node: h.config.node, dataDir: h.dataDir, api: { host: '127.0.0.1', port: 0, token: TOKEN, readOnly: false }, mounts: [dashboardRoutes] });
});
after(async () => {
  await writable.close();
  await h.close();
});

const bearer = { Authorization: `Bearer ${TOKEN}` };
const query = `token=${encodeURIComponent(TOKEN)}`;
const ROUTES = ['/api/v1/services', '/api/v1/services/alpha', '/api/v1/state', '/api/v1/openapi.json', '/api/v1/events', '/metrics', '/status', '/status/assets/datastar.js'];

test('/healthz needs no token', async () => {
  assert.equal((await get(`${api}/healthz`)).status, 200);
});

test('every other route answers 401 without the token or with a wrong one', async () => {
  for (const route of ROUTES) {
    const none = await get(`${api}${route}`);
    assert.equal(none.status, 401, route);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="nestor"');
    assert.equal(JSON.parse(none.body).error.code, 'unauthorized');
    assert.equal((await get(`${api}${route}`, { Authorization: 'Bearer wrong' })).status, 401, route);
    assert.equal((await get(`${api}${route}?token=wrong`)).status, 401, route);
  }
  assert.equal((await post(`${api}/api/v1/services/alpha/restart`)).status, 401);
  assert.equal((await post(`${api}/status/services/alpha/restart`)).status, 401);
});

test('the token works as a bearer header and as ?token= (for EventSource and links)', async () => {
  assert.equal((await get(`${api}/api/v1/services`, bearer)).status, 200);
  assert.equal((await get(`${api}/api/v1/services?${query}`)).status, 200);
  assert.equal((await get(`${api}/metrics?${query}`)).status, 200);
  const page = await get(`${api}/status?${query}`);
  assert.equal(page.status, 200);
  // The page's own requests carry the token, quoted safely inside its Datastar expressions.
  assert.ok(page.body.includes(`/status/stream?token=${encodeURIComponent(TOKEN).replace(/'/g, '%27')}`));
  assert.ok(!page.body.includes(TOKEN), 'the raw token never appears unescaped');
});

test('read-only mode refuses commands with 403, in REST and the dashboard', async () => {
  const rest = await post(`${api}/api/v1/services/alpha/restart`, bearer);
  assert.equal(rest.status, 403);
  assert.equal((rest.body.error as { code: string }).code, 'read-only');
  const web = await post(`${api}/status/services/alpha/restart?${query}`);
  assert.equal(web.status, 403);
  assert.match(String(web.body.text), /read-only/);
});

test('without read-only mode the same token reaches the controller (an unknown service is 404, not 403)', async () => {
  const res = await post(`${writable.url}/api/v1/services/nope/restart`, bearer);
  assert.equal(res.status, 404);
  assert.equal(res.body.code, 'unknown-service');
  assert.equal((await post(`${writable.url}/api/v1/services/nope/restart`)).status, 401);
});
