// Scale on one node, side by side: BENCH_SCALE_COUNT (500) tiny HTTP apps probed every
// BENCH_PROBE_MS (1000) under a real `nestor up --detach`, under PM2 at its defaults (polled by
// the benchmark at the same interval) and under the floor (a plain Node parent polling them).
// Nestor's project has 10 dependency groups (every service depends on its group's first with
// `condition: started`), so its stop must keep reverse dependency order while the independent
// services stop in parallel.
// Figures: time to all healthy (each from its own launch) vs the floor; stop of all vs PM2 and
// the floor; idle orchestrator CPU; `nestor status` and dashboard latency at that size.
// Targets: healthy <= 1.1x the floor, stop <= 1 s, idle orchestrator CPU <= 2 %.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { withPm2 } from './pm2.ts';
import { benchDir, cpuOver, downHard, ensureDist, fmt, memOf, nestor, nestorPids, nestorTimed, projectYaml, startFloor, waitPorts } from './procs.ts';

const COUNT = Number(process.env.BENCH_SCALE_COUNT ?? 500);
const PROBE_MS = Number(process.env.BENCH_PROBE_MS ?? 1000);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 20_000);
const GROUPS = 10;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
// Held open together until all are known, so no two apps get the same port (allocating one at a
// time, a port closed a moment ago can come back for the next).
async function ports(): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: COUNT }, () => new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => resolve(server));
    })),
  );
  const list = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return list;
}

async function floorRun(): Promise<{ healthy: number; stop: number; idleCpu: number }> {
  const bench = await benchDir('nestor-bench-scale-floor-');
  const floor = startFloor(bench.floor, bench.app, await ports(), PROBE_MS);
  try {
    const healthy = await floor.ready;
    // The same polls as Nestor's probes cost the floor too: its idle CPU is the comparison.
    await sleep(5_000);
    const idleCpu = (await cpuOver({ floor: floor.pid }, IDLE_MS)).floor ?? 0;
    return { healthy, stop: await floor.stop(), idleCpu };
  } finally {
    floor.kill();
    await bench.cleanup();
  }
}

async function pm2Run(): Promise<{ healthy: number; stop: number }> {
  const bench = await benchDir('nestor-bench-scale-pm2-');
  try {
    return await withPm2(async (pm2) => {
      const list = await ports();
      const t0 = performance.now();
      await pm2.start(list.map((port, i) => ({ name: `s${i}`, script: bench.app, env: { PORT: String(port) } })));
      await waitPorts(list, PROBE_MS);
      const healthy = performance.now() - t0;
      const t1 = performance.now();
      await pm2.cli(['stop', 'all']);
      return { healthy, stop: performance.now() - t1 };
    });
  } finally {
    await bench.cleanup();
  }
}

/** Indexes of each service's `→ stopped` line in the detached node's output. */
function stopOrder(dir: string): Map<string, number> {
  const order = new Map<string, number>();
  const lines = readFileSync(join(dir, '.data', 'nestor-up.log'), 'utf8').split('\n');
  lines.forEach((line, i) => {
    const m = /\b(s\d+)\s+\S+ → stopped/.exec(line);
    if (m !== null && !order.has(m[1] as string)) order.set(m[1] as string, i);
  });
  return order;
}

interface NestorScale {
  healthy: number;
  stop: number;
  /** First service stopping to last stopped. */
  stopServices: number;
  orderKept: boolean;
  stoppedSeen: number;
  idleCpu: number;
  rssMb: number;
  status: number[];
  dashboard: number[];
}

async function nestorRun(): Promise<NestorScale> {
  const bench = await benchDir('nestor-bench-scale-');
  try {
    await writeFile(join(bench.dir, 'nestor.yaml'), projectYaml(bench.app, COUNT, PROBE_MS, GROUPS));
    const up = await nestor(['up', '--detach', '--wait-timeout', '10m'], bench.dir);
    if (up.code !== 0) throw new Error(`nestor up --detach failed:\n${up.out.slice(-3000)}`);
    await sleep(5_000);
    const pids = nestorPids(bench.dir);
    const cpu = await cpuOver({ orchestrator: pids.orchestrator }, IDLE_MS);
    const rssMb = memOf(pids.orchestrator).rss;
    const status: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await nestor(['status'], bench.dir);
      if (r.code !== 0) throw new Error(`nestor status failed:\n${r.out}`);
      status.push(r.ms);
    }
    const api = (JSON.parse(readFileSync(join(bench.dir, '.data', 'runtime.json'), 'utf8')) as { api: string }).api;
    const dashboard: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const res = await fetch(`${api}/status`);
      await res.text();
      dashboard.push(performance.now() - t0);
    }
    const down = await nestorTimed(['down'], bench.dir);
    if (down.code !== 0) throw new Error(`nestor down failed:\n${down.lines.map((l) => l.line).join('\n').slice(-3000)}`);
    // The services' own stop: first `→ stopping` to last `→ stopped` as `down` prints them.
    const firstStopping = down.lines.find((l) => l.line.includes('→ stopping'))?.ms ?? NaN;
    const lastStopped = down.lines.filter((l) => l.line.includes('→ stopped')).at(-1)?.ms ?? NaN;
    const order = stopOrder(bench.dir);
    const size = Math.ceil(COUNT / GROUPS);
    let orderKept = true;
    for (let i = 0; i < COUNT; i++) {
      const base = i - (i % size);
      if (base !== i && (order.get(`s${i}`) ?? Infinity) > (order.get(`s${base}`) ?? -1)) orderKept = false;
    }
    return { healthy: up.ms, stop: down.ms, stopServices: lastStopped - firstStopping, orderKept, stoppedSeen: order.size, idleCpu: cpu.orchestrator ?? 0, rssMb, status, dashboard };
  } finally {
    await downHard(bench.dir);
    await bench.cleanup();
  }
}

/** Runs floor, PM2 and Nestor in turn with COUNT apps and prints the table with the targets. */
export async function benchScale(): Promise<{ floor: { healthy: number; stop: number; idleCpu: number }; pm2: { healthy: number; stop: number }; nestor: NestorScale }> {
  await ensureDist();
  console.log(`  ${COUNT} HTTP apps probed every ${PROBE_MS} ms; Nestor's in ${GROUPS} dependency groups`);
  const floor = await floorRun();
  console.log(`  floor: all healthy ${fmt(floor.healthy, 0)} ms, stop ${fmt(floor.stop, 0)} ms, idle ${fmt(floor.idleCpu, 2)} % of a core`);
  const pm2 = await pm2Run();
  console.log(`  pm2:   all healthy ${fmt(pm2.healthy, 0)} ms, stop all ${fmt(pm2.stop, 0)} ms`);
  const n = await nestorRun();
  const mark = (ok: boolean): string => (ok ? '✔' : '✘');
  console.log(`  nestor: all healthy ${fmt(n.healthy, 0)} ms (up --detach to its exit), down ${fmt(n.stop, 0)} ms (CLI start to every process gone)`);
  console.log(`  all healthy / floor: nestor ${fmt(n.healthy / floor.healthy, 2)}× (target ≤ 1.1 ${mark(n.healthy <= floor.healthy * 1.1)}), pm2 ${fmt(pm2.healthy / floor.healthy, 2)}×`);
  console.log(`  stop of all: nestor services ${fmt(n.stopServices, 0)} ms (first stopping → last stopped; target ≤ 1000 ${mark(n.stopServices <= 1000)}), whole \`down\` ${fmt(n.stop, 0)} ms; pm2 ${fmt(pm2.stop, 0)} ms, floor ${fmt(floor.stop, 0)} ms`);
  console.log(`  reverse dependency order kept: ${n.orderKept ? 'yes' : 'NO'} (${n.stoppedSeen} stops seen)`);
  console.log(`  idle orchestrator: ${fmt(n.idleCpu, 2)} % of a core (target ≤ 2 ${mark(n.idleCpu <= 2)}; floor polling the same ${fmt(floor.idleCpu, 2)} %), ${fmt(n.rssMb)} MB RSS`);
  console.log(`  nestor status: median ${fmt(median(n.status), 0)} ms, max ${fmt(Math.max(...n.status), 0)} ms; dashboard /status: median ${fmt(median(n.dashboard), 1)} ms, max ${fmt(Math.max(...n.dashboard), 1)} ms`);
  return { floor, pm2, nestor: n };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await benchScale();
