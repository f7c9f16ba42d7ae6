// `npm run bench`: every benchmark in turn, figures printed. Never part of `npm test`.
// Select some with arguments: npm run bench -- reducer bus stack restart placement sse cluster-failover
// cluster-placement cluster-traffic
import { existsSync } from 'node:fs';
import { join } from 'node:path';

type Bench = { name: string; run(): Promise<unknown> };

const benches: Bench[] = [
  { name: 'reducer', run: async () => (await import('./reducer.ts')).benchReducer(1_000_000) },
  { name: 'bus', run: async () => (await import('./bus.ts')).benchBus(1_000_000) },
  { name: 'stack', run: async () => (await import('./stack.ts')).benchStack() },
  { name: 'restart', run: async () => (await import('./restart.ts')).benchRestart() },
  { name: 'placement', run: async () => (await import('./placement.ts')).benchPlacement() },
  { name: 'cluster-failover', run: async () => (await import('./cluster.ts')).benchFailover() },
  { name: 'cluster-placement', run: async () => (await import('./cluster.ts')).benchClusterPlacement() },
  { name: 'cluster-traffic', run: async () => (await import('./cluster.ts')).benchTraffic() },
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
