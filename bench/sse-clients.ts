// The client side of the SSE benchmark, in its own process so its work is not counted as the
// orchestrator's: opens N event streams, waits for `count` benchmark events on every stream,
// and reports publication → arrival latencies (publication times travel in the events).
// Usage: node --import tsx bench/sse-clients.ts <api-url> <clients> <count>
import { get } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { SseParser } from '../src/api/index.ts';

const [url, clientsArg, countArg] = process.argv.slice(2);
const clients = Number(clientsArg);
const count = Number(countArg);
const now = (): number => performance.timeOrigin + performance.now();
const latencies: number[] = [];
let connected = 0;
let finished = 0;

async function client(): Promise<void> {
  // node:http rather than fetch: less work per chunk in the process that measures.
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    get(`${url}/api/v1/events?type=orchestrator.service.disabled`, { headers: { Accept: 'text/event-stream' }, agent: false }, resolve).on('error', reject),
  );
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
  res.setEncoding('utf8');
  const parser = new SseParser();
  let seen = 0;
  let announced = false;
  for await (const chunk of res as AsyncIterable<string>) {
    const at = now();
    for (const msg of parser.push(chunk)) {
      // A regex, not JSON.parse: the client process must not be the bottleneck it measures.
      const m = /"reason":"bench:(\d+(?:\.\d+)?)"/.exec(msg.data);
      if (m === null) continue;
      latencies.push(at - Number(m[1]));
      if (++seen === count) {
        if (++finished === clients) done();
        return;
      }
    }
    // The stream's opening frames (comment, retry, starting id) say it is live.
    if (!announced && parser.lastEventId !== null) {
      announced = true;
      if (++connected === clients) process.stdout.write('ready\n');
    }
  }
}

function done(): void {
  const sorted = latencies.sort((a, b) => a - b);
  const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
  process.stdout.write(`${JSON.stringify({ samples: sorted.length, p50: pct(50), p99: pct(99), max: sorted.at(-1) })}\n`);
  process.exit(0);
}

for (let i = 0; i < clients; i++) void client().catch((err: unknown) => {
  process.stderr.write(`client ${i}: ${(err as Error).message}\n`);
  process.exit(1);
});
