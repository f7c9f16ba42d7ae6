// Two replicas of alpha behind the node's Caddy on a `tls internal` host: HTTPS through Caddy
// reaches both, a kill -9 of one instance under load fails no request (retries and health
// checks), and the restarted instance's new port reaches Caddy's config.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { Agent } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHarness } from '../../src/harness/index.ts';
import { buildDemos, removeDir } from '../demo/helpers.ts';
import { until } from './helpers.ts';

const HOST = 'app.localhost';
let bins: { alpha: string; beta: string; depDir: string };
before(async () => {
  bins = await buildDemos();
});
after(async () => {
  await removeDir(bins.depDir);
});

function alphaSpec(): Record<string, unknown> {
  return {
    process: { command: bins.alpha, args: ['--port', '{ports.primary}'] },
    ports: { primary: { port: 0, protocol: 'http' } },
    portStrategy: 'random',
    replicas: 2,
    health: { type: 'http', endpoint: 'http://127.0.0.1:{ports.primary}/health', interval: '200ms', timeout: '1s' },
    caddy: {
      expose: true,
      hosts: [HOST],
      routes: [{ match: `host(\`${HOST}\`)`, handle: [{ handler: 'reverse_proxy', upstreams: ['{ports.primary}'], health_check: { path: '/health', interval: '500ms' } }] }],
    },
  };
}

// One HTTPS request through Caddy, SNI and Host set to the route's host; Caddy's internal CA is
// not trusted here, so the certificate is checked by hand (issuer) rather than by the client.
// A keep-alive socket that Caddy closed as the request went out (a config load closes idle
// connections) is retried once on a new connection, as browsers and curl do for a GET; each
// such retry is counted in `reconnects`.
const counters = { reconnects: 0 };
function viaCaddy(port: number, path: string, agent: Agent, retry = true): Promise<{ status: number; body: string; issuer: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, servername: HOST, headers: { host: HOST }, rejectUnauthorized: false, agent, timeout: 10_000 }, (res) => {
      let body = '';
      const cert = (res.socket as TLSSocket).getPeerCertificate();
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body, issuer: String(cert.issuer?.CN ?? '') });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (retry && req.reusedSocket && (err.code === 'ECONNRESET' || err.message === 'socket hang up')) {
        counters.reconnects++;
        viaCaddy(port, path, agent, false).then(resolve, reject);
      } else reject(err);
    });
    req.end();
  });
}

async function caddyDials(admin: number): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${admin}/config/`);
  const text = await res.text();
  return [...new Set([...text.matchAll(/"dial":"([^"]+)"/g)].map((m) => m[1] as string))];
}


test('two alpha replicas behind Caddy (tls internal): both reached, a kill -9 fails no request, a new port reaches the config', async (t) => {
  const h = await createHarness({ name: 'caddy-edge' });
  t.after(() => h.close());
  await h.register({ services: { alpha: alphaSpec() } }, { skipDeps: true });
  const one = await h.waitForState('alpha', 'ready', { timeoutMs: 30_000 });
  const two = await h.waitForState('alpha@2', 'ready', { timeoutMs: 30_000 });
  const ports = h.node.caddy.ports();
  assert.ok(ports !== null, 'caddy runs');
  const started = await h.waitForEvent('orchestrator.caddy.started');
  assert.equal(started.data.https, ports.https);

  // Both instances become upstreams once ready.
  const want = [`127.0.0.1:${one.ports.primary}`, `127.0.0.1:${two.ports.primary}`].sort();
  await until('both instances in caddy config', async () => JSON.stringify((await caddyDials(ports.admin)).sort()) === JSON.stringify(want));
  const applied = await h.waitForEvent('orchestrator.caddy.config.applied', (e) => e.data.upstreams === 2);
  assert.deepEqual(applied.data.table[0]?.hosts, [HOST]);
  assert.deepEqual(applied.data.table[0]?.services, ['alpha']);
  const caddyState = await until('caddy state in the reducer', async () => {
    const c = h.state().nodes[h.config.node]?.caddy;
    return c !== undefined && c.upstreamCount === 2 ? c : null;
  });
  assert.equal(caddyState.running, true);
  assert.equal(caddyState.routeCount, 1);
  const metrics = await (await fetch(`${h.node.api.url}/metrics`)).text();
  assert.match(metrics, /^nestor_caddy_routes 1$/m);
  assert.match(metrics, /^nestor_caddy_upstreams 2$/m);

  // `nestor info --json` shows where Caddy listens.
  const info = JSON.parse(await readFile(join(h.config.dataDir, 'runtime.json'), 'utf8')) as { caddy?: { https: string; admin: string } };
  assert.equal(info.caddy?.https, `https://127.0.0.1:${ports.https}`);
  assert.equal(info.caddy?.admin, `http://127.0.0.1:${ports.admin}`);

  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  t.after(() => agent.destroy());
  const seen = new Set<number>();
  for (let i = 0; i < 20; i++) {
    const res = await viaCaddy(ports.https, '/api/info', agent);
    assert.equal(res.status, 200);
    assert.match(res.issuer, /Caddy Local Authority/);
    seen.add((JSON.parse(res.body) as { pid: number }).pid);
  }
  assert.deepEqual([...seen].sort(), [one.pid, two.pid].sort(), 'round robin reaches both instances');

  // kill -9 one instance while requests keep coming.
  let failures = 0;
  const reasons: string[] = [];
  let total = 0;
  let stop = false;
  const load = (async () => {
    while (!stop) {
      total++;
      const res = await viaCaddy(ports.https, '/api/info', agent).catch((err: Error) => ({ status: 0, body: err.message, issuer: '' }));
      if (res.status !== 200) {
        failures++;
        reasons.push(`${res.status} ${res.body.trim()}`);
      }
    }
  })();
  await sleep(300);
  process.kill(two.pid as number, 'SIGKILL');
  const back = await h.waitUntil('alpha@2 ready again', (s) => s.services['alpha@2']?.state === 'ready' && s.services['alpha@2']?.pid !== two.pid, { timeoutMs: 30_000 });
  const moved = back.services['alpha@2']!;
  await sleep(300);
  stop = true;
  await load;
  assert.ok(total > 20, `requests were sent during the restart (${total})`);
  const caddyLog = failures === 0 ? '' : (await readFile(join(h.config.dataDir, 'caddy', 'caddy.log'), 'utf8')).split('\n').filter((l) => l.includes('"error"')).slice(-3).join('\n');
  assert.equal(failures, 0, `${caddyLog}\nfailed requests out of ${total} while an instance was killed: ${reasons.join('; ')}`);

  // The restarted instance has a new random port; Caddy's config follows.
  assert.notEqual(moved.ports.primary, two.ports.primary);
  await until('the new port in caddy config', async () => (await caddyDials(ports.admin)).includes(`127.0.0.1:${moved.ports.primary}`));
  assert.ok(!(await caddyDials(ports.admin)).includes(`127.0.0.1:${two.ports.primary}`), 'the old port is gone');
});
