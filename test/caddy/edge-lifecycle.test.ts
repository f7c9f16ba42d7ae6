// The edge's place in the node's life: a project file that exposes a service starts Caddy before
// the controller (caddy.started precedes the first service start), `nestor info --json` shows its
// URLs, a Caddy killed with -9 is started again on the same ports with its routes, and the node's
// shutdown stops it after the services.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './helpers.ts';
import { createHarness } from '../../src/harness/index.ts';

const server = "require('http').createServer((q, r) => r.end('pid ' + process.pid)).listen(+process.argv[1], '127.0.0.1')";


// node:http rather than fetch: fetch does not send a Host header of our choosing.
function viaCaddy(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, headers: { host: 'web.localhost' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a project file with an exposed service: caddy first, info shows it, a killed caddy comes back, shutdown stops it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-caddy-life-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'nestor.json');
  const project = {
    services: {
      web: {
        process: { command: 'node', args: ['-e', server, '{ports.primary}'] },
        ports: { primary: { port: 0 } },
        portStrategy: 'random',
        health: { type: 'tcp' },
        caddy: { expose: true, hosts: ['web.localhost'], tls: 'off' },
      },
    },
  };
  await writeFile(file, JSON.stringify(project));
  const h = await createHarness({ name: 'caddy-life', projectFile: file, cwd: dir, register: { skipDeps: true } });
  let closed = false;
  t.after(() => (closed ? undefined : h.close()));
  const web = await h.waitForState('web', 'ready', { timeoutMs: 30_000 });
  const events = h.events();
  const caddyAt = events.findIndex((e) => e.type === 'orchestrator.caddy.started');
  const startAt = events.findIndex((e) => e.type === 'orchestrator.service.start');
  assert.ok(caddyAt >= 0 && caddyAt < startAt, 'caddy started before the first service');
  const ports = h.node.caddy.ports()!;
  const caddyState = await until('the caddy state with its route', async () => {
    const c = h.state().nodes[h.config.node]?.caddy;
    return c?.running === true && c.upstreamCount === 1 ? c : null;
  });
  assert.equal(caddyState.http, ports.http, 'caddy.started before node.up is kept in the node state');
  let last = '';
  await until('web through caddy', async () => ((last = await viaCaddy(ports.http).catch((e: Error) => e.message)) === `200 pid ${web.pid}` ? true : null)).catch((err: Error) => {
    throw new Error(`${err.message}; last answer: ${last}; config ${JSON.stringify(h.state().nodes[h.config.node]?.caddy)}`);
  });

  const info = await h.cli(['info', '--json'], { env: { NESTOR_URL: '' } });
  assert.equal(info.code, 0, info.stderr);
  const doc = JSON.parse(info.stdout) as { caddy?: { http: string; https: string; admin: string } };
  assert.deepEqual(doc.caddy, { http: `http://127.0.0.1:${ports.http}`, https: `https://127.0.0.1:${ports.https}`, admin: `http://127.0.0.1:${ports.admin}` });

  const first = (await h.waitForEvent('orchestrator.caddy.started')).data.pid;
  process.kill(first, 'SIGKILL');
  const exited = await h.waitForEvent('orchestrator.caddy.exited', (e) => e.data.pid === first);
  assert.equal(exited.data.signal, 'SIGKILL');
  const again = await h.waitForEvent('orchestrator.caddy.started', (e) => e.data.pid !== first, { timeoutMs: 20_000 });
  assert.deepEqual([again.data.http, again.data.https, again.data.admin], [ports.http, ports.https, ports.admin], 'the same ports');
  assert.equal(await until('web through the new caddy', async () => (await viaCaddy(ports.http)) === `200 pid ${web.pid}` && true), true);

  closed = true;
  await h.close();
  await assert.rejects(fetch(`http://127.0.0.1:${ports.admin}/config/`), 'caddy is gone after the shutdown');
});
