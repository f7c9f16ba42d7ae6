// SSE fan-out (issue 5): with 100 clients on GET /api/v1/events, the latency from an event's
// publication to its arrival at each client (p50, p99; target p99 <= 50 ms), and the
// orchestrator's CPU while they are connected (idle, and while events flow). The node boots
// through bootNode in test mode, like `nestor up`; the clients run in a child process.
// Run: node --import tsx bench/sse.ts [clients] [events]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { bootNode } from '../src/boot/index.ts';
import { createEventFactory } from '../src/bus/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { rm } from 'node:fs/promises';

/** Figures of one run. */
export interface SseBenchResult {
  clients: number;
  events: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Orchestrator CPU (user + system) as a share of one core. */
  cpuIdlePct: number;
  cpuPublishingPct: number;
  eventsPerSecond: number;
  /** Event-loop delay of the orchestrator while publishing. */
  loopP99Ms: number;
  loopMaxMs: number;
}

const IDLE_MS = 3_000;
const RATE_PER_SECOND = 200;

/** Runs the benchmark and prints its figures. */
export async function benchSse(clients = 100, events = 1_000): Promise<SseBenchResult> {
  const config = await loadConfig({ test: true, testName: 'bench-sse', env: {}, flags: {} });
  const node = await bootNode({ config });
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'sse-clients.ts'), node.api.url, String(clients), String(events)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<string> => {
      const r = await lines.next();
      if (r.done === true) throw new Error('the client process ended early');
      return r.value;
    };
    if ((await next()) !== 'ready') throw new Error('the clients did not connect');
    console.log(`${clients} SSE clients connected to ${node.api.url}`);

    const cpu = (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    // Idle with every client connected (keep-alives only).
    let c0 = cpu();
    let t0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const cpuIdlePct = ((cpu() - c0) / (performance.now() - t0)) * 100;

    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const make = createEventFactory({ node: config.node, component: 'bench' });
    const gap = 1000 / RATE_PER_SECOND;
    c0 = cpu();
    t0 = performance.now();
    for (let i = 0; i < events; i++) {
      const due = t0 + i * gap;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await node.bus.publish(make('orchestrator.service.disabled', { service: 'bench', reason: `bench:${performance.timeOrigin + performance.now()}` }));
    }
    const summary = JSON.parse(await next()) as { samples: number; p50: number; p99: number; max: number };
    const wall = performance.now() - t0;
    const cpuPublishingPct = ((cpu() - c0) / wall) * 100;
    await once(child, 'exit');
    loop.disable();
    const loopP99Ms = loop.percentile(99) / 1e6;
    const loopMaxMs = loop.max / 1e6;

    const result: SseBenchResult = {
      clients,
      events,
      p50Ms: summary.p50,
      p99Ms: summary.p99,
      maxMs: summary.max,
      cpuIdlePct,
      cpuPublishingPct,
      eventsPerSecond: RATE_PER_SECOND,
      loopP99Ms,
      loopMaxMs,
    };
    console.log(`events: ${events} at ${RATE_PER_SECOND}/s to ${clients} clients (${summary.samples} deliveries)`);
    console.log(`publication → arrival: p50 ${summary.p50.toFixed(2)} ms, p99 ${summary.p99.toFixed(2)} ms, max ${summary.max.toFixed(2)} ms (target p99 <= 50 ms)`);
    console.log(`orchestrator event-loop delay while publishing: p99 ${loopP99Ms.toFixed(1)} ms, max ${loopMaxMs.toFixed(1)} ms`);
    console.log(`orchestrator CPU with ${clients} clients: idle ${cpuIdlePct.toFixed(1)}% of a core, while publishing ${cpuPublishingPct.toFixed(1)}%`);
    return result;
  } finally {
    await node.shutdown('bench done');
    await rm(config.dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [clients, events] = process.argv.slice(2).map(Number);
  await benchSse(clients || 100, events || 1_000);
}
