// Supervision figures (issue 3), with real alpha processes:
// - 50 alphas to all-ready under Nestor vs a plain script that spawns the same 50 and polls
//   their ports (ratio; target <= 1.2), with the same 50 ms probe/poll interval on both sides;
// - CPU and RSS of the orchestrator and of nats-server while 50 services idle.
// Restart after kill -9 has its own benchmark, at default settings and beside PM2: bench/restart.ts.
// Run: node --import tsx bench/stack.ts   (BENCH_IDLE_MS shortens the idle phase)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ensureDeps } from '../src/dep/index.ts';
import { createHarness } from '../src/harness/index.ts';
import { allocatePort } from '../src/process/index.ts';

const root = join(import.meta.dirname, '..');
const alphaBin = join(root, '.dep', 'bin', 'alpha');
const COUNT = 50;
const POLL_MS = 50;

function alphaSpec(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    process: { command: alphaBin, args: ['--port', '{ports.primary}'] },
    portStrategy: 'random',
    ports: { primary: { port: 0, protocol: 'http' } },
    health: { type: 'http', endpoint: '/health', interval: `${POLL_MS}ms`, timeout: '1s' },
    ...extra,
  };
}

const ms = (x: number): string => `${x.toFixed(1)} ms`;

/** The floor: spawn 50 alphas directly and poll /health every POLL_MS until all answer 200. */
async function plainStart(): Promise<number> {
  const ports = await Promise.all(Array.from({ length: COUNT }, () => allocatePort()));
  const t0 = performance.now();
  const children = ports.map((port) => spawn(alphaBin, ['--port', String(port)], { stdio: 'ignore', detached: true }));
  const pending = new Set(ports);
  while (pending.size > 0) {
    await Promise.all(
      [...pending].map(async (port) => {
        const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status === 200, () => false);
        if (ok) pending.delete(port);
      }),
    );
    if (pending.size > 0) await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const elapsed = performance.now() - t0;
  for (const c of children) process.kill(-(c.pid as number), 'SIGKILL');
  return elapsed;
}

/** Time from registration to all-ready of 50 alphas probed every POLL_MS, like the floor. */
async function nestorStart(): Promise<number> {
  const specs = Object.fromEntries(Array.from({ length: COUNT }, (_, i) => [`alpha${i}`, alphaSpec()]));
  await using h = await createHarness({ name: 'bench-50' });
  const t0 = performance.now();
  await h.register({ services: specs }, { skipDeps: true });
  await allReady(h);
  return performance.now() - t0;
}

function allReady(h: Awaited<ReturnType<typeof createHarness>>): Promise<unknown> {
  return h.waitUntil('all 50 ready', (s) => Object.values(s.services).filter((x) => x.state === 'ready').length === COUNT, { timeoutMs: 120_000 });
}

/** CPU and RSS while 50 services idle with the default 1 s probe interval. */
async function nestorIdle(): Promise<{ cpuPct: number; rssMb: number; natsCpuPct: number; natsRssMb: number }> {
  const specs = Object.fromEntries(Array.from({ length: COUNT }, (_, i) => [`alpha${i}`, alphaSpec({ health: { type: 'http', endpoint: '/health' } })]));
  await using h = await createHarness({ name: 'bench-idle', specs, register: { skipDeps: true } });
  await allReady(h);
  return await measureIdle(h.bus.server?.pid ?? null);
}

async function measureIdle(natsPid: number | null): Promise<{ cpuPct: number; rssMb: number; natsCpuPct: number; natsRssMb: number }> {
  const idleMs = Number(process.env.BENCH_IDLE_MS ?? 30_000);
  console.log(`  idling ${idleMs / 1000} s with ${COUNT} services...`);
  const ticks = (pid: number): number => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const cpu0 = process.cpuUsage();
  const nats0 = natsPid === null ? 0 : ticks(natsPid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, idleMs));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const natsTicks = natsPid === null ? 0 : ticks(natsPid) - nats0;
  return {
    cpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    rssMb: process.memoryUsage().rss / 1024 / 1024,
    // Clock ticks are 1/100 s on Linux.
    natsCpuPct: ((natsTicks * 10) / wall) * 100,
    natsRssMb: natsPid === null ? 0 : rssMb(natsPid),
  };
}

/** Runs the supervision benchmarks and prints the figures. */
export async function benchStack(): Promise<Record<string, number>> {
  await ensureDeps([{ name: 'alpha', source: 'local', entry: 'demo/alpha/main.ts' }], { projectDir: root });
  const plain = await plainStart();
  const elapsed = await nestorStart();
  const idle = await nestorIdle();
  console.log(`50 alphas to all-ready: nestor ${ms(elapsed)}, plain script ${ms(plain)}, ratio ${(elapsed / plain).toFixed(2)} (target <= 1.2)`);
  console.log(
    `idle with 50 services: orchestrator ${idle.cpuPct.toFixed(1)}% CPU, ${idle.rssMb.toFixed(0)} MB RSS; nats-server ${idle.natsCpuPct.toFixed(1)}% CPU, ${idle.natsRssMb.toFixed(0)} MB RSS`,
  );
  return {
    startRatio: elapsed / plain,
    idleCpuPct: idle.cpuPct,
    idleRssMb: idle.rssMb,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchStack();
}
