// Web pages cannot drive the API: a command from a foreign Origin or marked Sec-Fetch-Site:
// cross-site is refused with 403 and reaches no controller; a Host that does not name the
// server (DNS rebinding) is refused with 421 on every route, the dashboard and SSE included;
// a body that is not JSON is 415. Clients without an Origin (curl, the CLI, ApiClient) and the
// API's own pages keep working. Requests go through node:http so every header is as written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { ApiClient } from '../../src/api/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { demoStack } from './helpers.ts';

let h: Harness;
let api: string;
let port: number;
before(async () => {
  h = await demoStack('api-cross-site', { api: { allowedHosts: ['nestor.test', 'proxy.test:8443'] } });
  api = h.node.api.url;
  port = h.node.api.port;
});
after(() => h.close());

interface Answer {
  status: number;
  type: string;
  body: string;
  error?: { code: string; message: string };
}

/** One request to the API with exactly these headers (Host included) and an optional body. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { Host: `127.0.0.1:${port}`, ...headers }, timeout: 15_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      // An SSE answer never ends by itself: its headers are enough.
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        res.destroy();
        resolve({ status: res.statusCode ?? 0, type: 'text/event-stream', body: '' });
        return;
      }
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const type = res.headers['content-type'] ?? '';
        const parsed = type.startsWith('application/json') ? (JSON.parse(text) as { error?: Answer['error'] }) : {};
        resolve({ status: res.statusCode ?? 0, type, body: text, ...(parsed.error === undefined ? {} : { error: parsed.error }) });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

function commandsSince(since: number, service: string): string[] {
  return h
    .events()
    .filter((e) => e.seq > since && e.type.startsWith('orchestrator.command.') && (e.data as { service?: string }).service === service)
    .map((e) => e.type);
}

test('a command from a foreign Origin is 403 naming the origin, and the service is not disabled', async () => {
  const since = h.lastSeq();
  const res = await raw('POST', '/api/v1/services/beta/disable', { Origin: 'http://evil.example', 'Content-Type': 'text/plain' }, 'x');
  assert.equal(res.status, 403);
  assert.equal(res.error?.code, 'cross-site');
  assert.match(res.error?.message ?? '', /Origin "http:\/\/evil\.example" is not this API's origin/);
  assert.ok(res.error?.message.includes(`http://127.0.0.1:${port}`), 'the message says which origins are allowed');
  // The dashboard's command route is guarded the same way.
  assert.equal((await raw('POST', '/status/services/beta/disable', { Origin: 'http://evil.example' })).status, 403);
  assert.equal((await raw('POST', '/api/v1/services/beta/disable', { Origin: 'null' })).status, 403, 'sandboxed frames and file: pages send "null"');
  // Another local site is another origin too (a dev server on another port).
  assert.equal((await raw('POST', '/api/v1/services/beta/disable', { Origin: 'http://127.0.0.1:1' })).status, 403);

  // A later accepted command of the same controller is answered after any refused one would
  // have been, so beta's silence is not a matter of timing.
  const ok = await raw('POST', '/api/v1/services/alpha/restart');
  assert.equal(ok.status, 200, ok.body);
  await h.waitForEvent('orchestrator.command.restart', (e) => e.data.service === 'alpha', { since });
  assert.deepEqual(commandsSince(since, 'beta'), []);
  assert.equal(h.service('beta').enabled, true);
  assert.notEqual(h.service('beta').state, 'disabled');
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'alpha', { since, timeoutMs: 30_000 });
});

test('Sec-Fetch-Site: cross-site is 403 even without an Origin', async () => {
  const res = await raw('POST', '/api/v1/services/beta/disable', { 'Sec-Fetch-Site': 'cross-site' });
  assert.equal(res.status, 403);
  assert.equal(res.error?.code, 'cross-site');
  assert.match(res.error?.message ?? '', /Sec-Fetch-Site: cross-site/);
  assert.equal(h.service('beta').enabled, true);
});

test('a same-origin command and one without Origin are accepted', async () => {
  const same = await raw('POST', '/api/v1/services/beta/disable', { Origin: api, 'Sec-Fetch-Site': 'same-origin' });
  assert.equal(same.status, 200, same.body);
  await h.waitForState('beta', 'disabled');
  // localhost is the same server; its page's Origin matches its Host.
  const local = await raw('POST', '/api/v1/services/beta/enable', { Host: `localhost:${port}`, Origin: `http://localhost:${port}` });
  assert.equal(local.status, 200, local.body);
  await h.waitForState('beta', 'ready', { timeoutMs: 30_000 });
  // curl, the CLI and the SDK send no Origin.
  let since = h.lastSeq();
  const none = await raw('POST', '/api/v1/services/beta/restart');
  assert.equal(none.status, 200, none.body);
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'beta', { since, timeoutMs: 30_000 });
  since = h.lastSeq();
  const client = await new ApiClient({ url: api }).command('restart', 'beta');
  assert.equal(client.status, 200);
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'beta', { since, timeoutMs: 30_000 });
});

test('a Host that does not name the server is 421 on every route (DNS rebinding)', async () => {
  for (const path of ['/api/v1/services', '/api/v1/state', '/healthz', '/metrics', '/status', '/status/stream', '/api/v1/events', '/']) {
    const res = await raw('GET', path, { Host: `evil.example:${port}` });
    assert.equal(res.status, 421, path);
    assert.equal(res.error?.code, 'misdirected-host', path);
  }
  const res = await raw('GET', '/api/v1/services', { Host: `evil.example:${port}` });
  assert.match(res.error?.message ?? '', /host "evil\.example:\d+"/);
  assert.match(res.error?.message ?? '', /127\.0\.0\.1, localhost, \[::1\], nestor\.test, proxy\.test:8443/);
  assert.match(res.error?.message ?? '', /api\.allowedHosts/);
  // A command under a foreign name is refused before anything else.
  assert.equal((await raw('POST', '/api/v1/services/beta/disable', { Host: 'evil.example' })).status, 421);
  // A name that only looks like an allowed one.
  assert.equal((await raw('GET', '/api/v1/services', { Host: 'localhost.evil.example' })).status, 421);
  assert.equal((await raw('GET', '/api/v1/services', { Host: 'evil@localhost' })).status, 421);
  assert.equal((await raw('GET', '/api/v1/services', { Host: `proxy.test:${port}` })).status, 421, 'a name given with a port only matches that port');
  assert.equal(h.service('beta').enabled, true);
});

test('the listening address under its loopback names and the configured names are served', async () => {
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, 'localhost:8080', 'nestor.test', `nestor.test:${port}`, 'proxy.test:8443']) {
    const res = await raw('GET', '/api/v1/services', { Host: host });
    assert.equal(res.status, 200, `${host}: ${res.body}`);
  }
  assert.equal((await raw('GET', '/status', { Host: `localhost:${port}` })).status, 200);
  assert.equal((await raw('GET', '/status/stream', { Host: 'nestor.test' })).status, 200);
  // A page served under a configured name may send commands (a reverse proxy keeping the Host
  // of the API, or one rewriting it).
  const proxied = await raw('POST', '/api/v1/services/nope/restart', { Host: 'nestor.test', Origin: 'https://nestor.test' });
  assert.equal(proxied.status, 404, 'past the guard: an unknown service');
  const rewritten = await raw('POST', '/api/v1/services/nope/restart', { Origin: 'https://proxy.test:8443' });
  assert.equal(rewritten.status, 404, 'past the guard: an unknown service');
  assert.equal((await raw('POST', '/api/v1/services/nope/restart', { Origin: 'https://proxy.test' })).status, 403, 'proxy.test is allowed on port 8443 only');
});

test('a body that is not JSON is 415 naming its type; JSON and no body are fine', async () => {
  const plain = await raw('POST', '/api/v1/services/beta/disable', { 'Content-Type': 'text/plain' }, 'disable');
  assert.equal(plain.status, 415);
  assert.equal(plain.error?.code, 'unsupported-media-type');
  assert.match(plain.error?.message ?? '', /application\/json.*got Content-Type "text\/plain"/);
  const form = await raw('POST', '/api/v1/services/beta/disable', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'a=b');
  assert.equal(form.status, 415);
  assert.equal((await raw('POST', '/api/v1/services/beta/disable', {}, 'x')).error?.message.endsWith('got no Content-Type'), true);
  assert.equal(h.service('beta').enabled, true);
  // What the dashboard's buttons send: its signals as JSON.
  const json = await raw('POST', '/api/v1/services/nope/restart', { 'Content-Type': 'application/json; charset=utf-8' }, '{"selected":""}');
  assert.equal(json.status, 404, 'past the guard: an unknown service');
});
