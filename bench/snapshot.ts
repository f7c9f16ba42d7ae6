// Snapshot figures: on a stream holding n events (1,000,000 by default), the state reader that
// `nestor status` uses (connectReader + stateAtPoint) with a snapshot 100 events before the
// end vs without any snapshot (a full replay), median of several runs; the same through a real
// `nestor status --json` process; and the full replay rate (decode + reduce, events/s).
// Run: node --import tsx bench/snapshot.ts [n]
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { connectBus, connectReader, createEventFactory, deleteSnapshot, saveSnapshot, stateAt } from '../src/bus/index.ts';
import { stateAtPoint } from '../src/cli/history.ts';
import { loadConfig } from '../src/config/index.ts';
import { takeSnapshot } from '../src/state/index.ts';
import { publishGenerated } from './bus.ts';

const exec = promisify(execFile);
const TAIL = 100;

/** Fills a stream, then times the status reader with and without a snapshot; prints and returns the figures. */
export async function benchSnapshot(n = 1_000_000): Promise<{ withSnapshotMs: number; withoutSnapshotMs: number; processMs: number; replayPerSec: number }> {
  const config = await loadConfig({
    test: true,
    testName: 'bench-snapshot',
    env: {},
    projectFile: null,
    flags: { nats: { store: (process.env.BENCH_STORE as 'file' | 'memory' | undefined) ?? 'file' }, events: { maxBytes: -1, maxMsgs: -1, maxAgeMs: 0 } },
  });
  const bus = await connectBus(config, { component: 'bench' });
  try {
    await publishGenerated(bus, n - 1);
    // The CLI talks to the node that announced itself last.
    const up = createEventFactory({ node: config.node, component: 'bench' });
    await bus.publish(up('orchestrator.node.up', { node: config.node, pid: process.pid, hostname: 'bench', version: '0', nats: bus.natsUrl, api: null, dataDir: config.dataDir }));
    const bounds = await bus.streamBounds();

    // The full replays (the reader a view uses, without a snapshot) give the replay rate; the
    // first one stops short of the end to make the snapshot.
    const replays: number[] = [];
    const t0 = performance.now();
    const atCut = await stateAt(bus, { snapshot: false, until: bounds.lastSeq - TAIL });
    replays.push((bounds.lastSeq - TAIL) / ((performance.now() - t0) / 1000));

    const reader = () => connectReader(config, { urls: [bus.natsUrl], name: 'bench-status', timeoutMs: 3_000, reconnect: { attempts: 0, waitMs: 0 } });
    const timeStatus = async (): Promise<{ ms: number; seq: number }> => {
      const t = performance.now();
      const r = await reader();
      try {
        const state = await stateAtPoint(r);
        return { ms: performance.now() - t, seq: state.seq };
      } finally {
        await r.close();
      }
    };

    await deleteSnapshot(bus).catch(() => {});
    const without: number[] = [];
    for (let i = 0; i < 2; i++) {
      const { ms, seq } = await timeStatus();
      if (seq !== bounds.lastSeq) throw new Error(`full replay ended at ${seq}, not ${bounds.lastSeq}`);
      without.push(ms);
      replays.push(bounds.lastSeq / (ms / 1000));
    }

    const outcome = await saveSnapshot(bus, {
      ...takeSnapshot(atCut),
      stream: bus.streamName,
      streamCreated: bounds.created,
      node: config.node,
      throughTimestamp: null,
      savedAt: new Date().toISOString(),
    });
    if (!outcome.saved) throw new Error(`the snapshot was not saved (${outcome.reason})`);
    const withSnap: number[] = [];
    for (let i = 0; i < 7; i++) {
      const { ms, seq } = await timeStatus();
      if (seq !== bounds.lastSeq) throw new Error(`snapshot + tail ended at ${seq}, not ${bounds.lastSeq}`);
      withSnap.push(ms);
    }
    const processes: number[] = [];
    for (let i = 0; i < 5; i++) processes.push(await timeProcess(bus.natsUrl, config.events.stream, config.dataDir));

    const result = {
      withSnapshotMs: median(withSnap),
      withoutSnapshotMs: median(without),
      processMs: median(processes),
      replayPerSec: Math.round(median(replays)),
    };
    const f = (ms: number): string => `${ms.toFixed(0)} ms`;
    console.log(`stream: ${bounds.lastSeq.toLocaleString('en-US')} events; snapshot ${(outcome.bytes / 1024).toFixed(1)} KiB through seq ${atCut.seq} (tail ${TAIL})`);
    console.log(`status reader (connect + state), median: with snapshot ${f(result.withSnapshotMs)} [${withSnap.map(f).join(', ')}]; without ${f(result.withoutSnapshotMs)} [${without.map(f).join(', ')}]`);
    console.log(`nestor status --json process (${processMode()}), median with snapshot: ${f(result.processMs)} [${processes.map(f).join(', ')}]`);
    console.log(`full replay (stateAt, decode + reduce): ${result.replayPerSec.toLocaleString('en-US')} events/s [${replays.map((r) => Math.round(r).toLocaleString('en-US')).join(', ')}]`);
    return result;
  } finally {
    await bus.close();
    await rm(config.dataDir, { recursive: true, force: true });
  }
}

const BIN = fileURLToPath(new URL('../bin/nestor.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

// The published package runs dist/; a checkout without a build runs the sources through tsx,
// whose compile time is not Nestor's.
function processMode(): string {
  return existsSync(DIST) ? 'dist/' : 'tsx sources';
}

async function timeProcess(url: string, stream: string, dataDir: string): Promise<number> {
  const env = { ...process.env, NESTOR_URL: url, NESTOR_EVENTS_STREAM: stream, NESTOR_DATA_DIR: dataDir, NESTOR_USE_DIST: existsSync(DIST) ? '1' : '0' };
  const t = performance.now();
  await exec(process.execPath, [BIN, 'status', '--json'], { env, maxBuffer: 64 * 1024 * 1024 });
  return performance.now() - t;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 1_000_000);
  await benchSnapshot(Number.isFinite(n) && n > 0 ? n : 1_000_000);
}
