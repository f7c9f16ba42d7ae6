// Throughput of the state reducer alone (target: >= 500k events/s). Events are generated in
// memory in chunks, so memory stays flat; only the reduce loop is timed. The mix is a realistic
// crash-and-restart cycle of several services interleaved, plus log and health chatter, and it
// is checked to produce no ignored transition (a bench of ignored events would flatter the code).
// Run: node --import tsx bench/reducer.ts [n]
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { makeEventId } from '../src/events/index.ts';
import type { NestorEvent, Stored } from '../src/events/index.ts';
import { emptyState, reduce } from '../src/state/index.ts';
import type { State } from '../src/state/index.ts';

const SERVICES = ['api', 'worker', 'db', 'cache', 'web', 'mailer', 'search', 'billing'];
const CHUNK = 50_000;
const T0 = Date.parse('2025-03-14T09:00:00.000Z');
const origin = { node: 'bench', component: 'controller' };

// One life of a service: start, health, ready, logs, crash, scheduled restart.
function cycle(service: string, pid: number, attempt: number): Pick<NestorEvent, 'type' | 'data'>[] {
  const ports = { primary: 8000 + (pid % 1000) };
  const log = { service, stream: 'stdout' as const, file: `/tmp/${service}.log`, bytes: 420, lines: 5, totalBytes: 0, rotated: false };
  return [
    { type: 'orchestrator.service.ensure', data: { service, actions: [] } },
    { type: 'orchestrator.service.start', data: { service, pid, attempt, ports, command: 'node' } },
    { type: 'orchestrator.service.log', data: log },
    { type: 'orchestrator.service.health', data: { service, probe: 'readiness', status: 'passing', consecutiveFailures: 0, latencyMs: 1.2 } },
    { type: 'orchestrator.service.ready', data: { service, pid, ports, elapsedMs: 120, probe: 'http' } },
    { type: 'orchestrator.service.log', data: log },
    { type: 'orchestrator.service.health', data: { service, probe: 'liveness', status: 'passing', consecutiveFailures: 0, latencyMs: 0.8 } },
    { type: 'orchestrator.service.log', data: log },
    { type: 'orchestrator.service.exit', data: { service, pid, code: 1, signal: null, runtimeMs: 30_000, expected: false } },
    { type: 'orchestrator.service.restart.scheduled', data: { service, attempt: attempt + 1, delayMs: 250, reason: 'exit code 1' } },
  ] as Pick<NestorEvent, 'type' | 'data'>[];
}

/** Streams `n` stored events (registrations first), in chunks of at most CHUNK. */
export function* chunks(n: number): Generator<Stored[]> {
  const rand = new Uint8Array(10);
  let seq = 0;
  const make = (e: Pick<NestorEvent, 'type' | 'data'>): Stored => {
    seq++;
    rand[9] = seq & 0xff;
    rand[8] = (seq >> 8) & 0xff;
    const ms = T0 + seq * 3;
    return { version: 1, id: makeEventId(ms, rand), timestamp: new Date(ms).toISOString(), origin, seq, ...e } as Stored;
  };
  let chunk: Stored[] = SERVICES.map((service) =>
    make({
      type: 'orchestrator.service.register',
      data: { service, spec: { displayName: service, dependencies: [] }, specVersion: 1, specHash: 'x', source: 'bench' },
    } as Pick<NestorEvent, 'type' | 'data'>),
  );
  const round = Array.from({ length: SERVICES.length }, () => 0);
  while (seq < n) {
    // Interleave the services: one cycle step of each in turn.
    const lives = SERVICES.map((s, i) => cycle(s, 10_000 + i * 100_000 + (round[i] as number), round[i] as number));
    for (let step = 0; step < (lives[0] as unknown[]).length && seq < n; step++) {
      for (const life of lives) {
        if (seq >= n) break;
        chunk.push(make(life[step] as Pick<NestorEvent, 'type' | 'data'>));
        if (chunk.length >= CHUNK) {
          yield chunk;
          chunk = [];
        }
      }
    }
    for (let i = 0; i < round.length; i++) round[i] = (round[i] as number) + 1;
  }
  if (chunk.length > 0) yield chunk;
}

/** Times `reduce` over `n` generated events and prints the rate. */
export async function benchReducer(n = 1_000_000): Promise<{ eventsPerSec: number }> {
  let state: State = emptyState();
  let elapsed = 0;
  let count = 0;
  for (const batch of chunks(n)) {
    const t = performance.now();
    for (let i = 0; i < batch.length; i++) state = reduce(state, batch[i] as Stored);
    elapsed += performance.now() - t;
    count += batch.length;
  }
  if (state.counters.ignored > 0) {
    throw new Error(`bench mix is unrealistic: ${JSON.stringify(state.counters.ignoredByType)} ignored`);
  }
  const eventsPerSec = Math.round(count / (elapsed / 1000));
  console.log(`reducer: ${eventsPerSec.toLocaleString('en-US')} events/s (${count.toLocaleString('en-US')} events in ${elapsed.toFixed(0)} ms)`);
  return { eventsPerSec };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 1_000_000);
  await benchReducer(Number.isFinite(n) && n > 0 ? n : 1_000_000);
}
