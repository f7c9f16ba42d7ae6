// The node's Caddy in front of alpha, in one run on one machine:
// - requests per second and latency (p50, p99) of GET /health through Caddy (plain HTTP and
//   HTTPS with `tls internal`) against alpha directly (the floor), each a keep-alive load loop
//   of CONCURRENCY clients in this process for DURATION_MS;
// - the time from an instance's ready (its service.ready timestamp) to Caddy routing to it (its
//   new port in Caddy's config, polled on the admin API every 2 ms), over RESTARTS restarts of
//   a random-port alpha.
// PM2 has no reverse proxy, so there is no PM2 column. Run: npm run bench -- caddy
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDeps } from '../src/dep/index.ts';
import { createHarness } from '../src/harness/index.ts';

const HOST = 'app.localhost';
const CONCURRENCY = Number(process.env.BENCH_CADDY_CONCURRENCY ?? 8);
const DURATION_MS = Number(process.env.BENCH_CADDY_DURATION_MS ?? 5_000);
const RESTARTS = Number(process.env.BENCH_CADDY_RESTARTS ?? 10);
const root = join(import.meta.dirname, '..');

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

type Target = { name: string; port: number; tls: boolean };

function once(t: Target, agent: HttpAgent): Promise<number> {
  return new Promise((resolve, reject) => {
    const opts = { host: '127.0.0.1', port: t.port, path: '/health', agent, headers: { host: HOST }, ...(t.tls ? { servername: HOST, rejectUnauthorized: false } : {}) };
    const req = (t.tls ? httpsRequest : httpRequest)(opts, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function load(t: Target): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const agent = t.tls ? new HttpsAgent({ keepAlive: true, maxSockets: CONCURRENCY }) : new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY });
  for (let i = 0; i < 200; i++) await once(t, agent); // warm-up: connections, TLS sessions, JIT
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + DURATION_MS;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const status = await once(t, agent).catch(() => 0);
        if (status !== 200) errors++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const took = (performance.now() - start) / 1000;
  agent.destroy();
  return { rps: latencies.length / took, p50: pct(latencies, 50), p99: pct(latencies, 99), errors };
}

// A load replaces the admin server too, so a poll may meet a closed connection: it just polls again.
async function dials(admin: number): Promise<string> {
  return fetch(`http://127.0.0.1:${admin}/config/apps/http/servers/http/routes`).then(
    (r) => r.text(),
    () => '',
  );
}

/** Runs the Caddy benchmark and prints its figures. */
export async function benchCaddy(): Promise<void> {
  const depDir = await mkdtemp(join(tmpdir(), 'nestor-bench-caddy-'));
  try {
    const [alpha] = await ensureDeps([{ name: 'alpha', version: '0.1.0', source: 'local', entry: 'demo/alpha/main.ts' }], { projectDir: root, depDir });
    await using h = await createHarness({ name: 'bench-caddy' });
    await h.register(
      {
        services: {
          alpha: {
            process: { command: alpha?.path ?? '', args: ['--port', '{ports.primary}'] },
            ports: { primary: { port: 0 } },
            portStrategy: 'random',
            health: { type: 'http', endpoint: 'http://127.0.0.1:{ports.primary}/health', interval: '100ms' },
            caddy: { expose: true, hosts: [HOST] },
          },
        },
      },
      { skipDeps: true },
    );
    let svc = await h.waitForState('alpha', 'ready', { timeoutMs: 30_000 });
    const ports = h.node.caddy.ports();
    if (ports === null) throw new Error('caddy is not running');
    while (!(await dials(ports.admin)).includes(`:${svc.ports.primary}"`)) await sleep(10);

    const targets: Target[] = [
      { name: 'alpha directly (floor)', port: svc.ports.primary as number, tls: false },
      { name: 'through caddy, http', port: ports.http, tls: false },
      { name: 'through caddy, https (tls internal)', port: ports.https, tls: true },
    ];
    console.log(`load: GET /health, ${CONCURRENCY} keep-alive clients, ${DURATION_MS} ms each`);
    for (const t of targets) {
      const r = await load(t);
      console.log(`${t.name.padEnd(38)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   errors ${r.errors}`);
    }

    const lags: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      const before = svc.pid;
      await h.command('restart', 'alpha');
      const state = await h.waitUntil('alpha ready again', (s) => s.services.alpha?.state === 'ready' && s.services.alpha.pid !== before, { timeoutMs: 30_000 });
      svc = state.services.alpha!;
      const readyAt = Date.parse(svc.readyAt ?? '');
      const want = `:${svc.ports.primary}"`;
      while (!(await dials(ports.admin)).includes(want)) await sleep(2);
      lags.push(Date.now() - readyAt);
    }
    console.log(`ready → routed by caddy (${RESTARTS} restarts): p50 ${pct(lags, 50).toFixed(0)} ms, max ${Math.max(...lags).toFixed(0)} ms`);
  } finally {
    await rm(depDir, { recursive: true, force: true });
  }
}
