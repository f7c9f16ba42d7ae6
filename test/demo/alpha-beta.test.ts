// Alpha and beta as built by src/dep: their endpoints, the NESTOR_* environment they show, and
// beta's dependency on alpha (healthy only while alpha answers).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDemos, freePort, get, removeDir, startDemo, startServer } from './helpers.ts';

let bins: { alpha: string; beta: string; depDir: string };
before(async () => {
  bins = await buildDemos();
});
after(async () => {
  await removeDir(bins.depDir);
});

describe('alpha', () => {
  test('serves /health, /, /api/info and /metrics and shows the NESTOR_* environment', async (t) => {
    const port = await freePort();
    const alpha = await startServer(t, bins.alpha, ['--port', String(port)], {
      NESTOR_SERVICE: 'alpha',
      NESTOR_NODE: 'node-under-test',
      DEMO_MESSAGE: 'hi <there>',
    });
    const base = `http://127.0.0.1:${port}`;
    assert.match(alpha.stdout.join('\n'), new RegExp(`alpha listening on ${base} pid=${alpha.pid} service=alpha node=node-under-test`));

    const health = await get(`${base}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.body), { status: 'ok' });

    const page = await get(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.type, /^text\/html/);
    assert.match(page.body, /<title>alpha<\/title>/);
    assert.match(page.body, new RegExp(`data-field="pid">${alpha.pid}<`));
    assert.match(page.body, /data-field="uptime">[\d.]+ s</);
    assert.match(page.body, /data-field="requests">\d+</);
    assert.match(page.body, /node-under-test/);
    assert.match(page.body, /hi &#60;there&#62;/, 'the message is escaped');

    const info = JSON.parse((await get(`${base}/api/info`)).body) as Record<string, unknown>;
    assert.equal(info.name, 'alpha');
    assert.equal(info.pid, alpha.pid);
    assert.equal(info.port, port);
    assert.equal(info.service, 'alpha');
    assert.equal(info.node, 'node-under-test');
    assert.equal(info.ready, true);
    assert.equal(info.requests, 3, 'health, page and this request');
    assert.equal(typeof info.uptimeSeconds, 'number');

    const metrics = await get(`${base}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.type, /^text\/plain; version=0\.0\.4/);
    assert.match(metrics.body, /^# TYPE demo_http_requests_total counter$/m);
    assert.match(metrics.body, /^demo_http_requests_total\{demo="alpha",path="\/health"\} 1$/m);
    assert.match(metrics.body, /^demo_http_requests_total\{demo="alpha",path="\/metrics"\} 1$/m);
    assert.match(metrics.body, /^demo_uptime_seconds\{demo="alpha"\} \d+(\.\d+)?$/m);
  });

  test('takes its port from NESTOR_PORT when --port is absent', async (t) => {
    const port = await freePort();
    await startServer(t, bins.alpha, [], { NESTOR_PORT: String(port) });
    assert.equal((await get(`http://127.0.0.1:${port}/health`)).status, 200);
  });

  test('answers 404 for unknown paths and 405 for other methods', async (t) => {
    const port = await freePort();
    await startServer(t, bins.alpha, ['--port', String(port)]);
    assert.equal((await get(`http://127.0.0.1:${port}/nope`)).status, 404);
    assert.equal((await get(`http://127.0.0.1:${port}/health`, { method: 'POST' })).status, 405);
  });

  test('SIGTERM closes the server and exits 0', async (t) => {
    const port = await freePort();
    const alpha = await startServer(t, bins.alpha, ['--port', String(port)]);
    alpha.child.kill('SIGTERM');
    assert.deepEqual(await alpha.exited, { code: 0, signal: null });
    assert.match(alpha.stdout.join('\n'), /alpha: SIGTERM, shutting down/);
  });
});

describe('beta', () => {
  test('calls alpha for its page and info, and is healthy only while alpha answers', async (t) => {
    const alphaPort = await freePort();
    const betaPort = await freePort();
    const alpha = await startServer(t, bins.alpha, ['--port', String(alphaPort)]);
    const beta = await startServer(t, bins.beta, ['--port', String(betaPort), '--alpha-url', `http://127.0.0.1:${alphaPort}`], {
      NESTOR_SERVICE: 'beta',
    });
    const base = `http://127.0.0.1:${betaPort}`;

    const health = await get(`${base}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.body), { status: 'ok' });

    const info = JSON.parse((await get(`${base}/api/info`)).body) as { name: string; pid: number; service: string; alpha: { pid: number; name: string } | null };
    assert.equal(info.name, 'beta');
    assert.equal(info.pid, beta.pid);
    assert.equal(info.service, 'beta');
    assert.equal(info.alpha?.name, 'alpha');
    assert.equal(info.alpha?.pid, alpha.pid);

    const page = await get(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>beta<\/title>/);
    assert.match(page.body, new RegExp(`data-field="pid">${alpha.pid}<`), "alpha's pid is on beta's page");

    const metrics = (await get(`${base}/metrics`)).body;
    assert.match(metrics, /^demo_upstream_requests_total\{demo="beta",upstream="alpha",result="ok"\} 3$/m);
    assert.match(metrics, /^demo_http_requests_total\{demo="beta",path="\/"\} 1$/m);

    alpha.child.kill('SIGTERM');
    assert.equal((await alpha.exited).code, 0);

    const down = await get(`${base}/health`);
    assert.equal(down.status, 503);
    const body = JSON.parse(down.body) as { status: string; waitingFor: string[] };
    assert.equal(body.status, 'starting');
    assert.match(body.waitingFor.join(' '), /alpha unreachable/);
    const infoDown = JSON.parse((await get(`${base}/api/info`)).body) as { alpha: unknown; alphaError: string };
    assert.equal(infoDown.alpha, null);
    assert.match(infoDown.alphaError, /alpha unreachable/);
    const pageDown = await get(`${base}/`);
    assert.equal(pageDown.status, 200);
    assert.match(pageDown.body, /class="note">alpha unreachable/);
  });

  test('rejects a malformed --alpha-url with exit 2', async (t) => {
    const beta = startDemo(t, bins.beta, ['--alpha-url', 'not a url']);
    assert.equal((await beta.exited).code, 2);
    assert.match(beta.stderr.join('\n'), /--alpha-url is not a valid URL/);
  });
});
