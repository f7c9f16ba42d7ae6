// Runs (the run registry) under load, against a real `nestor up --detach` (its own process, so
// its CPU and memory are its own):
//   - heartbeats ingested per second over NATS (the SDK, many concurrent runs; target ≥ 5,000/s)
//     and over HTTP (POST /api/v1/runs/:id/heartbeat, keep-alive), and the floor: a bare
//     request/reply responder on the same nats-server that stores nothing (the transport's ceiling)
//   - command send → delivered → acked latency, p50/p99, with the SDK waiting on commands()
//   - the orchestrator's CPU and RSS with 1,000 live runs heartbeating every second, against the
//     same node with no runs
// PM2 has no run registry, so there is no PM2 column.
// BENCH_RUNS_SECONDS (10) per throughput pass, BENCH_RUNS_CONCURRENCY (200) runs in flight,
// BENCH_RUNS_LIVE (1000) live runs, BENCH_RUNS_IDLE_MS (20000) per CPU window,
// BENCH_RUNS_COMMANDS (200) commands timed.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { createEventFactory } from '../src/bus/index.ts';
import { emptyState, reduce } from '../src/state/index.ts';
import type { State } from '../src/state/index.ts';
import { startRun } from '../src/sdk/index.ts';
import type { RunHandle } from '../src/sdk/index.ts';
import { benchDir, cpuOver, downHard, ensureDist, fmt, memOf, nestor, nestorPids, projectYaml } from './procs.ts';

const SECONDS = Number(process.env.BENCH_RUNS_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_RUNS_CONCURRENCY ?? 200);
const LIVE = Number(process.env.BENCH_RUNS_LIVE ?? 1000);
const IDLE_MS = Number(process.env.BENCH_RUNS_IDLE_MS ?? 20_000);
const COMMANDS = Number(process.env.BENCH_RUNS_COMMANDS ?? 200);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** CPU (% of one core) and RSS (MB) of the orchestrator, and the CPU of its nats-server. */
interface Usage {
  cpuPct: number;
  rssMb: number;
  natsCpuPct: number;
}

/** What the runs benchmark measured. */
export interface RunsFigures {
  natsPerSec: number;
  httpPerSec: number;
  floorPerSec: number;
  deliveredMs: { p50: number; p99: number };
  ackedMs: { p50: number; p99: number };
  idle: Usage;
  live: Usage & { heartbeatsPerSec: number; latencyMs: { p50: number; p99: number } };
}

/** Runs every pass against one detached node; prints and returns the figures. */
export async function benchRuns(): Promise<RunsFigures> {
  for (const n of [10, 200, 1000, 5000]) {
    console.log(`reducer alone, heartbeat events with ${n.toLocaleString('en-US')} runs in the state: ${Math.round(reducerRate(n)).toLocaleString('en-US')}/s`);
  }
  await ensureDist();
  const bench = await benchDir('nestor-bench-runs-');
  try {
    await writeFile(join(bench.dir, 'nestor.yaml'), projectYaml(bench.app, 1, 1000));
    const up = await nestor(['up', '--detach', '--wait-timeout', '2m'], bench.dir);
    if (up.code !== 0) throw new Error(`nestor up --detach failed:\n${up.out}`);
    const runtime = JSON.parse(readFileSync(join(bench.dir, '.data', 'runtime.json'), 'utf8')) as { nats: string; api: string; pid: number };
    const pids = nestorPids(bench.dir);
    // As the SDK connects (connectFromEnv): no stack capture per request.
    const nc = await connect({ servers: runtime.nats, name: 'bench-runs', noAsyncTraces: true });
    try {
      // The idle figures first, before any run exists.
      await sleep(3000);
      const idle = await usage(pids, IDLE_MS);
      console.log(`idle node: orchestrator ${fmt(idle.cpuPct)}% CPU, RSS ${fmt(idle.rssMb)} MB; nats-server ${fmt(idle.natsCpuPct)}% CPU (${IDLE_MS / 1000} s)`);

      const floorPerSec = await floor(nc);
      console.log(`floor (bare request/reply, nothing stored), ${CONCURRENCY} in flight: ${Math.round(floorPerSec).toLocaleString('en-US')} req/s`);

      const runs = await createRuns(nc, CONCURRENCY, 'bench-throughput');
      const natsPerSec = await heartbeatsOverNats(runs);
      console.log(`heartbeats over NATS (SDK), ${CONCURRENCY} runs in flight: ${Math.round(natsPerSec).toLocaleString('en-US')}/s`);
      const httpPerSec = await heartbeatsOverHttp(runtime.api, runs);
      console.log(`heartbeats over HTTP, ${CONCURRENCY} runs in flight: ${Math.round(httpPerSec).toLocaleString('en-US')}/s`);
      await Promise.all(runs.map((r) => r.close()));

      const latency = await commandLatency(nc);
      console.log(
        `command send → delivered: p50 ${fmt(latency.deliveredMs.p50)} ms, p99 ${fmt(latency.deliveredMs.p99)} ms; send → acked: p50 ${fmt(latency.ackedMs.p50)} ms, p99 ${fmt(latency.ackedMs.p99)} ms (${COMMANDS} tunes)`,
      );

      const live = await liveRuns(nc, pids);
      console.log(
        `${LIVE} live runs, one heartbeat a second each (${Math.round(live.heartbeatsPerSec)}/s taken, latency p50 ${fmt(live.latencyMs.p50)} ms, p99 ${fmt(live.latencyMs.p99)} ms): orchestrator ${fmt(live.cpuPct)}% CPU, RSS ${fmt(live.rssMb)} MB; nats-server ${fmt(live.natsCpuPct)}% CPU (no runs: ${fmt(idle.cpuPct)}%, ${fmt(idle.rssMb)} MB; ${fmt(idle.natsCpuPct)}%)`,
      );
      return { natsPerSec, httpPerSec, floorPerSec, ...latency, idle, live };
    } finally {
      await nc.drain().catch(() => {});
    }
  } finally {
    await downHard(bench.dir);
    await bench.cleanup();
  }
}

async function usage(pids: { orchestrator: number; nats: number }, ms: number): Promise<Usage> {
  const cpu = await cpuOver({ orchestrator: pids.orchestrator, nats: pids.nats }, ms);
  return { cpuPct: cpu.orchestrator ?? 0, rssMb: memOf(pids.orchestrator).rss, natsCpuPct: cpu.nats ?? 0 };
}

async function createRuns(nc: NatsConnection, n: number, experiment: string): Promise<RunHandle[]> {
  const runs: RunHandle[] = [];
  // In batches: a thousand creations at once would only measure the request timeout.
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) =>
      startRun(nc, { experiment, version: '1', id: `${experiment}-${i + j}`, heartbeatIntervalMs: 1000, env: {}, timeoutMs: 30_000 }),
    );
    runs.push(...(await Promise.all(batch)));
  }
  return runs;
}

// Each run heartbeats back to back (its step rising) for SECONDS; all runs at once.
async function heartbeatsOverNats(runs: RunHandle[]): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  let count = 0;
  const t0 = performance.now();
  await Promise.all(
    runs.map(async (run) => {
      let step = run.record.step;
      while (performance.now() < end) {
        await run.heartbeat({ step: ++step, checkpointVersion: 0, metrics: { loss: 1 / step } });
        count++;
      }
    }),
  );
  return count / ((performance.now() - t0) / 1000);
}

async function heartbeatsOverHttp(api: string, runs: RunHandle[]): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  let count = 0;
  const t0 = performance.now();
  await Promise.all(
    runs.map(async (run) => {
      // After the NATS pass: the steps continue from where it left them.
      const current = (await (await fetch(`${api}/api/v1/runs/${run.id}`)).json()) as { step: number };
      let step = current.step;
      while (performance.now() < end) {
        const res = await fetch(`${api}/api/v1/runs/${run.id}/heartbeat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ step: ++step, checkpointVersion: 0, metrics: { loss: 1 / step } }),
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`heartbeat over HTTP: ${res.status}`);
        count++;
      }
    }),
  );
  return count / ((performance.now() - t0) / 1000);
}

// What NATS request/reply alone costs on this machine: a responder that parses and answers.
async function floor(nc: NatsConnection): Promise<number> {
  const sub = nc.subscribe('bench.floor.heartbeat', {
    callback: (_err, m) => {
      JSON.parse(new TextDecoder().decode(m.data));
      m.respond('{"ok":true,"data":{}}');
    },
  });
  const end = performance.now() + SECONDS * 1000;
  let count = 0;
  const t0 = performance.now();
  const body = JSON.stringify({ id: 'x', body: { step: 1, checkpointVersion: 0, metrics: { loss: 1 } } });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await nc.request('bench.floor.heartbeat', body, { timeout: 10_000 });
        count++;
      }
    }),
  );
  sub.unsubscribe();
  return count / ((performance.now() - t0) / 1000);
}

async function commandLatency(nc: NatsConnection): Promise<Pick<RunsFigures, 'deliveredMs' | 'ackedMs'>> {
  const run = await startRun(nc, { experiment: 'bench-commands', version: '1', heartbeatIntervalMs: 1000, env: {} });
  const delivered: number[] = [];
  const acked: number[] = [];
  const sentAt = new Map<string, number>();
  const done = new Map<string, () => void>();
  const consumer = (async () => {
    for await (const cmd of run.commands()) {
      const t0 = sentAt.get(cmd.id) ?? performance.now();
      delivered.push(performance.now() - t0);
      await cmd.ack();
      acked.push(performance.now() - t0);
      done.get(cmd.id)?.();
    }
  })();
  const codec = new TextDecoder();
  for (let i = 0; i < COMMANDS; i++) {
    const id = `c${i}`;
    const finished = new Promise<void>((resolve) => done.set(id, resolve));
    sentAt.set(id, performance.now());
    const reply = JSON.parse(codec.decode((await nc.request('nestor.runs.command', JSON.stringify({ id: run.id, body: { id, type: 'tune', params: { lr: i + 1 } }, by: 'bench' }), { timeout: 10_000 })).data)) as { ok: boolean; message?: string };
    if (!reply.ok) throw new Error(`command: ${reply.message}`);
    await finished;
    // Apart, so each command meets an idle waiter as a real job's would.
    await sleep(10);
  }
  await run.close();
  await consumer;
  return { deliveredMs: percentiles(delivered), ackedMs: percentiles(acked) };
}

async function liveRuns(nc: NatsConnection, pids: { orchestrator: number; nats: number }): Promise<RunsFigures['live']> {
  const runs = await createRuns(nc, LIVE, 'bench-live');
  let sent = 0;
  let stop = false;
  let latencies: number[] = [];
  // One heartbeat a second per run, spread over the second as independent jobs would be.
  const loops = runs.map(async (run, i) => {
    await sleep((i * 1000) / runs.length);
    let step = run.record.step;
    while (!stop) {
      const t0 = performance.now();
      const ok = await run.heartbeat({ step: ++step, checkpointVersion: 0, metrics: { loss: 1 / step } }).then(
        () => true,
        () => false,
      );
      if (ok) sent++;
      latencies.push(performance.now() - t0);
      await sleep(Math.max(0, 1000 - (performance.now() - t0)));
    }
  });
  await sleep(3000);
  const before = sent;
  latencies = [];
  const t0 = performance.now();
  const use = await usage(pids, IDLE_MS);
  const heartbeatsPerSec = (sent - before) / ((performance.now() - t0) / 1000);
  const latencyMs = percentiles(latencies);
  stop = true;
  await Promise.all(loops);
  await Promise.all(runs.map((r) => r.close()));
  return { ...use, heartbeatsPerSec, latencyMs };
}

// Every node reduces every heartbeat event into its live state (views, metrics, snapshots):
// the CPU-only part of a heartbeat's cost, without the broker.
function reducerRate(runs: number): number {
  const event = createEventFactory({ node: 'bench', component: 'runs' });
  let state: State = emptyState();
  for (let i = 0; i < runs; i++) {
    state = reduce(state, event('orchestrator.run.created', { run: { id: `r${i}`, experiment: 'e', version: '1', params: {}, heartbeatIntervalMs: 1000, binding: null } }));
  }
  const beats = Array.from({ length: 2000 }, (_, i) => event('orchestrator.run.heartbeat', { id: `r${i % runs}`, step: i + 1, checkpointVersion: 0, metrics: { loss: 1 / (i + 1) }, runtimeStatus: '' }));
  const t0 = performance.now();
  for (const e of beats) state = reduce(state, e);
  return beats.length / ((performance.now() - t0) / 1000);
}

function percentiles(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchRuns();
}
