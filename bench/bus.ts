// Bus figures: JetStream publish throughput with acks in flight, and replay + reduce of a large
// history from the stream (target >= 150k events/s). The replay also reports this process's CPU
// per event (the client, decode and reduce; nats-server's share is not in it): on a shared
// machine the rate follows the load, the CPU per event much less.
// Run: node --import tsx bench/bus.ts [n]
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { connectBus, readEvents } from '../src/bus/index.ts';
import type { Bus } from '../src/bus/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { encode, subjectFor } from '../src/events/index.ts';
import { emptyState, reduce } from '../src/state/index.ts';
import { chunks } from './reducer.ts';

const IN_FLIGHT = 1000;

/** Publishes n generated events, then replays and reduces them; prints and returns the rates. */
export async function benchBus(n = 1_000_000): Promise<{ publishPerSec: number; replayPerSec: number; replayCpuUs: number }> {
  const config = await loadConfig({
    test: true,
    testName: 'bench-bus',
    env: {},
    projectFile: null,
    flags: { nats: { store: (process.env.BENCH_STORE as 'file' | 'memory' | undefined) ?? 'file' }, events: { maxBytes: -1, maxMsgs: -1, maxAgeMs: 0 } },
  });
  const bus = await connectBus(config, { component: 'bench' });
  try {
    const { publishPerSec } = await publishGenerated(bus, n);

    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    let state = emptyState();
    let count = 0;
    for await (const item of readEvents(bus)) {
      if (!item.ok) continue;
      state = reduce(state, item.event);
      count++;
    }
    const replayMs = performance.now() - t1;
    const cpu = process.cpuUsage(cpu0);
    const replayPerSec = Math.round(count / (replayMs / 1000));
    const replayCpuUs = (cpu.user + cpu.system) / count;
    console.log(
      `bus replay + decode + reduce: ${replayPerSec.toLocaleString('en-US')} events/s (${count.toLocaleString('en-US')} in ${(replayMs / 1000).toFixed(1)} s, seq ${state.seq}); ` +
        `${replayCpuUs.toFixed(2)} µs of this process's CPU per event (${Math.round(1e6 / replayCpuUs).toLocaleString('en-US')} events per CPU-second); load ${loadavg()[0]?.toFixed(1)}`,
    );
    return { publishPerSec, replayPerSec, replayCpuUs };
  } finally {
    await bus.close();
    await rm(config.dataDir, { recursive: true, force: true });
  }
}

/** Publishes n generated events (bench/reducer.ts's mix) with acks in flight; prints and returns the rate. */
export async function publishGenerated(bus: Bus, n: number): Promise<{ publishPerSec: number }> {
  let published = 0;
  const t0 = performance.now();
  let lastReport = t0;
  for (const batch of chunks(n)) {
    for (let i = 0; i < batch.length; i += IN_FLIGHT) {
      const acks = batch.slice(i, i + IN_FLIGHT).map(({ seq: _seq, ...event }) => bus.js.publish(subjectFor(event), encode(event), { msgID: event.id }));
      await Promise.all(acks);
      published += acks.length;
    }
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      console.log(`  published ${published.toLocaleString('en-US')} / ${n.toLocaleString('en-US')}`);
    }
  }
  const publishMs = performance.now() - t0;
  const publishPerSec = Math.round(published / (publishMs / 1000));
  console.log(`bus publish (${IN_FLIGHT} acks in flight): ${publishPerSec.toLocaleString('en-US')} events/s (${published.toLocaleString('en-US')} in ${(publishMs / 1000).toFixed(1)} s)`);
  return { publishPerSec };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 1_000_000);
  await benchBus(Number.isFinite(n) && n > 0 ? n : 1_000_000);
}
