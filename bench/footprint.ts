// Footprint side by side: 50 idle tiny HTTP apps (probed every second) under a real
// `nestor up --detach`, under PM2 at its defaults, and under the floor (a plain Node parent that
// spawns and polls them). Memory of each supervisor's own processes (Nestor: orchestrator,
// nats-server, guardian; PM2: its God daemon; floor: the parent) as RSS, PSS and USS from
// /proc/<pid>/smaps_rollup, and their CPU over an idle window.
// Targets: Nestor's own RSS <= PM2's daemon; orchestrator RSS <= 60 MB.
// BENCH_FOOTPRINT_COUNT (50), BENCH_IDLE_MS (20000), BENCH_SETTLE_MS (5000) change the run.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFile } from 'node:fs/promises';
import { allocatePort } from '../src/process/index.ts';
import { withPm2 } from './pm2.ts';
import type { Mem } from './procs.ts';
import { benchDir, cpuOver, downHard, ensureDist, fmt, memOf, memSum, nestor, nestorPids, projectYaml, startFloor, waitPorts } from './procs.ts';

const COUNT = Number(process.env.BENCH_FOOTPRINT_COUNT ?? 50);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 20_000);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 5_000);
const PROBE_MS = 1000;

interface Row {
  name: string;
  mem: Mem;
  cpu: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function nestorIdle(): Promise<Row[]> {
  const bench = await benchDir('nestor-bench-footprint-');
  try {
    await writeFile(join(bench.dir, 'nestor.yaml'), projectYaml(bench.app, COUNT, PROBE_MS));
    const up = await nestor(['up', '--detach', '--wait-timeout', '3m'], bench.dir);
    if (up.code !== 0) throw new Error(`nestor up --detach failed:\n${up.out}`);
    await sleep(SETTLE_MS);
    const pids = nestorPids(bench.dir);
    const cpu = await cpuOver(pids, IDLE_MS);
    const rows: Row[] = [
      { name: 'nestor orchestrator (node)', mem: memOf(pids.orchestrator), cpu: cpu.orchestrator ?? 0 },
      { name: 'nestor broker (nats-server)', mem: memOf(pids.nats), cpu: cpu.nats ?? 0 },
      { name: 'nestor guardian (sh)', mem: memOf(pids.guardian), cpu: cpu.guardian ?? 0 },
    ];
    rows.push({ name: 'nestor, all own processes', mem: memSum(Object.values(pids)), cpu: rows.reduce((a, r) => a + r.cpu, 0) });
    return rows;
  } finally {
    await downHard(bench.dir);
    await bench.cleanup();
  }
}

async function pm2Idle(): Promise<Row> {
  const bench = await benchDir('nestor-bench-footprint-pm2-');
  try {
    return await withPm2(async (pm2) => {
      const ports = await Promise.all(Array.from({ length: COUNT }, () => allocatePort()));
      await pm2.start(ports.map((port, i) => ({ name: `s${i}`, script: bench.app, env: { PORT: String(port) } })));
      await waitPorts(ports, PROBE_MS);
      await sleep(SETTLE_MS);
      const pid = await pm2.daemonPid();
      const cpu = await cpuOver({ pm2: pid }, IDLE_MS);
      return { name: 'pm2 daemon (God)', mem: memOf(pid), cpu: cpu.pm2 ?? 0 };
    });
  } finally {
    await bench.cleanup();
  }
}

async function floorIdle(): Promise<Row> {
  const bench = await benchDir('nestor-bench-footprint-floor-');
  const ports = await Promise.all(Array.from({ length: COUNT }, () => allocatePort()));
  const floor = startFloor(bench.floor, bench.app, ports, PROBE_MS);
  try {
    await floor.ready;
    await sleep(SETTLE_MS);
    const cpu = await cpuOver({ floor: floor.pid }, IDLE_MS);
    return { name: 'floor parent (node)', mem: memOf(floor.pid), cpu: cpu.floor ?? 0 };
  } finally {
    await floor.stop().catch(() => undefined);
    floor.kill();
    await bench.cleanup();
  }
}

/** Runs the three side by side and prints the table with the targets. */
export async function benchFootprint(): Promise<{ nestor: Row[]; pm2: Row; floor: Row }> {
  await ensureDist();
  console.log(`  ${COUNT} idle HTTP apps, probed every ${PROBE_MS} ms; idle window ${IDLE_MS / 1000} s after ${SETTLE_MS / 1000} s settling`);
  const nestorRows = await nestorIdle();
  const pm2 = await pm2Idle();
  const floor = await floorIdle();
  const rows = [...nestorRows, pm2, floor];
  console.log(`  ${'process'.padEnd(30)} ${'RSS MB'.padStart(7)} ${'PSS MB'.padStart(7)} ${'USS MB'.padStart(7)} ${'CPU %'.padStart(6)}`);
  for (const r of rows) {
    console.log(`  ${r.name.padEnd(30)} ${fmt(r.mem.rss).padStart(7)} ${fmt(r.mem.pss).padStart(7)} ${fmt(r.mem.uss).padStart(7)} ${fmt(r.cpu, 2).padStart(6)}`);
  }
  const own = nestorRows[nestorRows.length - 1] as Row;
  const orch = nestorRows[0] as Row;
  const mark = (ok: boolean): string => (ok ? '✔' : '✘');
  console.log(`  nestor own / pm2 daemon: RSS ${fmt(own.mem.rss / pm2.mem.rss, 2)}×, PSS ${fmt(own.mem.pss / pm2.mem.pss, 2)}×, USS ${fmt(own.mem.uss / pm2.mem.uss, 2)}× (target RSS ≤ 1× ${mark(own.mem.rss <= pm2.mem.rss)})`);
  console.log(`  nestor own / floor parent: RSS ${fmt(own.mem.rss / floor.mem.rss, 2)}×, PSS ${fmt(own.mem.pss / floor.mem.pss, 2)}×, USS ${fmt(own.mem.uss / floor.mem.uss, 2)}×`);
  console.log(`  orchestrator alone: RSS ${fmt(orch.mem.rss)} MB (target ≤ 60 MB ${mark(orch.mem.rss <= 60)})`);
  return { nestor: nestorRows, pm2, floor };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await benchFootprint();
