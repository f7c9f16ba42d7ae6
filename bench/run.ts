// `npm run bench`: every benchmark in turn, figures printed. Never part of `npm test`.
// Select some by name: npm run bench -- reducer snapshot (the names are in the list below).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

type Bench = { name: string; run(): Promise<unknown> };

const benches: Bench[] = [
  { name: 'reducer', run: async () => (await import('./reducer.ts')).benchReducer(1_000_000) },
  { name: 'bus', run: async () => (await import('./bus.ts')).benchBus(1_000_000) },
  { name: 'snapshot', run: async () => (await import('./snapshot.ts')).benchSnapshot(1_000_000) },
  { name: 'stack', run: async () => (await import('./stack.ts')).benchStack() },
  { name: 'logs', run: async () => (await import('./logs.ts')).benchLogs() },
  { name: 'restart', run: async () => (await import('./restart.ts')).benchRestart() },
  { name: 'placement', run: async () => (await import('./placement.ts')).benchPlacement() },
  { name: 'cluster-failover', run: async () => (await import('./cluster.ts')).benchFailover() },
  { name: 'cluster-placement', run: async () => (await import('./cluster.ts')).benchClusterPlacement() },
  { name: 'cluster-traffic', run: async () => (await import('./cluster.ts')).benchTraffic() },
  { name: 'cli', run: async () => (await import('./cli.ts')).benchCli() },
  { name: 'footprint', run: async () => (await import('./footprint.ts')).benchFootprint() },
  { name: 'scale', run: async () => (await import('./scale.ts')).benchScale() },
  { name: 'caddy', run: async () => (await import('./caddy.ts')).benchCaddy() },
  { name: 'runs', run: async () => (await import('./runs.ts')).benchRuns() },
];
// The SSE benchmark arrives with the HTTP API.
const ssePath = join(import.meta.dirname, 'sse.ts');
if (existsSync(ssePath)) {
  benches.push({ name: 'sse', run: async () => ((await import(ssePath)) as { benchSse(): Promise<unknown> }).benchSse() });
}

const wanted = process.argv.slice(2);
for (const bench of benches) {
  if (wanted.length > 0 && !wanted.includes(bench.name)) continue;
  console.log(`\n== ${bench.name}`);
  await bench.run();
}
