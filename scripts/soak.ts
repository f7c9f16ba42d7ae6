// npm run soak [-- --minutes N --interval S --crash-after MS --max-msgs N --looper alpha|false]
// npm run soak -- cluster [--rounds N --seed S --nodes 3|4]: the cluster chaos run (soak-cluster.ts)
//
// Runs a crash-looping alpha (unlimited restarts, 10 ms → 100 ms backoff) under one Nestor node
// for 10 minutes by default, and samples every 10 s: this process's RSS, heap and CPU (the
// orchestrator runs in-process; a full GC runs first), and the embedded nats-server's RSS and CPU
// from /proc. It prints a table, then a verdict: the least-squares slope of the orchestrator's
// RSS over time is "flat" when at most FLAT_MB_PER_MIN, else "growing" (exit code 1, as when
// restart events went missing, see `missing`). The fit leaves out the first 20 % of the run as
// warm-up (JIT, heap and allocator settling: RSS was seen climbing for three minutes, then
// staying put); a fit spanning less than MIN_FIT_MINUTES gives "inconclusive". The heap slope
// (after a full GC) is printed beside it: the finer signal of a leak. Not part of npm test.
//
// It boots the node the way the test harness does (loadConfig in test mode: a fresh .data-test
// dir, memory store, random ports; then bootNode), but without the harness's event recorder:
// the recorder keeps every event for tests to read, so it grows with the run by design and would
// hide the orchestrator's own behaviour. Restarts are counted from a core subscription instead.
// The event stream is capped (--max-msgs, default 2 000) so the broker's memory should level
// off once the cap is reached; stream size is printed next to the broker's figures.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { bootNode } from '../src/boot/index.ts';
import type { NodeHandle } from '../src/boot/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { decode, typeFilter } from '../src/events/index.ts';

// A full GC before each sample makes heap and RSS show what is retained, not the garbage of
// the last 10 s; the npm script runs plain `node`, so the flag is switched on here.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** RSS growth below this (in MB per minute, by linear fit) counts as flat. */
const FLAT_MB_PER_MIN = 1;
/** Share of the run left out of the fit as warm-up. */
const WARM_UP_FRACTION = 0.2;
/** RSS moves in a sawtooth (about +10 MB over a minute or so, then a drop as memory is given
 * back), so a fit over less than a few periods says nothing: shorter runs get no verdict. */
const MIN_FIT_MINUTES = 5;
const MB = 1024 * 1024;
// Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every mainstream arch).
const CLOCK_TICKS = 100;

interface Options {
  minutes: number;
  intervalS: number;
  crashAfterMs: number;
  /** alpha: the demo service; false: /bin/false with a 1 ms backoff, as fast a loop as can be. */
  looper: 'alpha' | 'false';
  maxMsgs: number;
}

interface Sample {
  t: number;
  restarts: number;
  /** Restarts made (the attempt number of the latest restart.scheduled) minus those seen. */
  missing: number;
  rssMb: number;
  heapMb: number;
  cpuPct: number;
  natsRssMb: number;
  natsCpuPct: number;
  streamMsgs: number;
  streamMb: number;
  /** The machine's 1-minute load average: restarts/s drops when other work competes for CPU. */
  load: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '10' },
      interval: { type: 'string', default: '10' },
      'crash-after': { type: 'string', default: '100' },
      looper: { type: 'string', default: 'alpha' },
      'max-msgs': { type: 'string', default: '2000' },
    },
  });
  const num = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got ${JSON.stringify(raw)}`);
    return n;
  };
  return {
    minutes: num('minutes', values.minutes, 0.1),
    intervalS: num('interval', values.interval, 1),
    crashAfterMs: num('crash-after', values['crash-after'], 1),
    looper: values.looper === 'false' ? 'false' : values.looper === 'alpha' ? 'alpha' : usage(`--looper must be alpha or false, got ${values.looper}`),
    maxMsgs: num('max-msgs', values['max-msgs'], 100),
  };
}

function usage(message: string): never {
  throw new Error(message);
}

/** The demo alpha crashing `crashAfterMs` after each start, or /bin/false; restarted forever. */
function looperSpec(opts: Options): Record<string, unknown> {
  if (opts.looper === 'false') {
    return { process: { command: '/bin/false' }, backoff: { initial: '1ms', multiplier: 1, max: '1ms' }, maxRestarts: 'unlimited' };
  }
  const crashAfterMs = opts.crashAfterMs;
  const raw = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'demo', 'alpha', 'service.json'), 'utf8')) as Record<string, unknown>;
  const { id: _id, ...spec } = raw;
  const proc = spec.process as { args: string[] };
  return {
    ...spec,
    portStrategy: 'random',
    ports: { primary: { port: 0, protocol: 'http' } },
    process: { ...proc, args: [...proc.args, '--crash-after', String(crashAfterMs)] },
    health: { ...(spec.health as object), interval: '100ms', timeout: '500ms' },
    backoff: { initial: '10ms', multiplier: 2, max: '100ms', jitter: 0 },
    maxRestarts: 'unlimited',
  };
}

/** CPU ticks and RSS of a process from /proc, or null once it is gone. */
function procUsage(pid: number): { ticks: number; rssMb: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the comm field: state is f[0], so utime (field 14) is f[11] and stime f[12].
    const ticks = Number(f[11]) + Number(f[12]);
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    return { ticks, rssMb: rssKb / 1024 };
  } catch {
    return null;
  }
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const COLUMNS = ['t (s)', 'restarts', 'missing', 'restarts/s', 'RSS MB', 'heap MB', 'CPU %', 'nats RSS MB', 'nats CPU %', 'stream msgs', 'stream MB', 'load'];

function row(s: Sample, rate: number): string {
  const cells = [s.t, s.restarts, s.missing, rate.toFixed(2), s.rssMb.toFixed(1), s.heapMb.toFixed(1), s.cpuPct.toFixed(1), s.natsRssMb.toFixed(1), s.natsCpuPct.toFixed(1), s.streamMsgs, s.streamMb.toFixed(2), s.load.toFixed(1)];
  return cells.map((c, i) => String(c).padStart((COLUMNS[i] as string).length)).join('  ');
}

async function soak(node: NodeHandle, opts: Options): Promise<Sample[]> {
  // The looper never runs long enough to reset its count, so the attempt of each restart is the
  // number of restarts made so far. Events are published in order, so one still queued has a
  // higher attempt than any seen: the highest attempt seen minus the events seen were lost.
  let restarts = 0;
  let attempt = 0;
  const sub = node.bus.nc.subscribe(typeFilter('orchestrator.service.restart.scheduled'), {
    callback: (_err, msg) => {
      restarts++;
      const decoded = decode(msg.data);
      if (decoded.ok && decoded.event.type === 'orchestrator.service.restart.scheduled') attempt = Math.max(attempt, decoded.event.data.attempt);
    },
  });
  const samples: Sample[] = [];
  const t0 = performance.now();
  let cpu = process.cpuUsage();
  let wall = performance.now();
  let nats = procUsage(node.bus.server?.pid ?? -1);
  let lastRestarts = 0;
  console.log(COLUMNS.join('  '));
  const deadline = t0 + opts.minutes * 60_000;
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, Math.min(opts.intervalS * 1000, deadline - performance.now())));
    const now = performance.now();
    const elapsedS = (now - wall) / 1000;
    const used = process.cpuUsage(cpu);
    const natsNow = procUsage(node.bus.server?.pid ?? -1);
    const stream = (await node.bus.jsm.streams.info(node.bus.streamName)).state;
    collectGarbage();
    const mem = process.memoryUsage();
    const sample: Sample = {
      t: Math.round((now - t0) / 1000),
      restarts,
      missing: attempt - restarts,
      rssMb: mem.rss / MB,
      heapMb: mem.heapUsed / MB,
      cpuPct: ((used.user + used.system) / 1e6 / elapsedS) * 100,
      natsRssMb: natsNow?.rssMb ?? NaN,
      natsCpuPct: natsNow !== null && nats !== null ? ((natsNow.ticks - nats.ticks) / CLOCK_TICKS / elapsedS) * 100 : NaN,
      streamMsgs: stream.messages,
      streamMb: stream.bytes / MB,
      load: loadavg()[0] ?? 0,
    };
    samples.push(sample);
    console.log(row(sample, (restarts - lastRestarts) / elapsedS));
    cpu = process.cpuUsage();
    wall = now;
    nats = natsNow;
    lastRestarts = restarts;
  }
  sub.unsubscribe();
  return samples;
}

/** Prints the verdict; false when the orchestrator's RSS is growing or events went missing. */
function verdict(samples: Sample[], opts: Options): boolean {
  const warmUp = WARM_UP_FRACTION * (samples.at(-1)?.t ?? 0);
  const fit = samples.slice(1).filter((s) => s.t >= warmUp);
  const minutes = fit.map((s) => s.t / 60);
  const rssSlope = slope(minutes, fit.map((s) => s.rssMb));
  const heapSlope = slope(minutes, fit.map((s) => s.heapMb));
  const natsSlope = slope(minutes, fit.map((s) => s.natsRssMb));
  const last = samples.at(-1);
  const total = last?.restarts ?? 0;
  const seconds = last?.t ?? 0;
  const meanCpu = fit.reduce((a, s) => a + s.cpuPct, 0) / Math.max(1, fit.length);
  const flat = rssSlope <= FLAT_MB_PER_MIN;
  const span = fit.length < 2 ? 0 : ((fit.at(-1)?.t ?? 0) - (fit[0]?.t ?? 0)) / 60;
  const enough = span >= MIN_FIT_MINUTES;
  const sign = (n: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(3)}`;
  console.log('');
  console.log(`restarts: ${total} in ${seconds} s (${(total / Math.max(1, seconds)).toFixed(2)}/s), ${opts.looper === 'alpha' ? `alpha crashing after ${opts.crashAfterMs} ms` : '/bin/false, 1 ms backoff'}`);
  console.log(`orchestrator RSS slope ${sign(rssSlope)} MB/min, heap ${sign(heapSlope)} MB/min, mean CPU ${meanCpu.toFixed(1)} % (fit over ${fit.length} samples from t = ${fit[0]?.t ?? 0} s)`);
  console.log(`nats-server RSS slope ${sign(natsSlope)} MB/min (stream capped at ${opts.maxMsgs} messages, now ${last?.streamMsgs ?? 0})`);
  const missing = last?.missing ?? 0;
  console.log(`restart events missing from the bus: ${missing}${missing > 0 ? ' (made, then dropped before reaching the bus)' : ''}`);
  const word = !enough ? `inconclusive (the fit spans ${span.toFixed(1)} min; RSS needs ${MIN_FIT_MINUTES} min or more)` : flat ? 'flat' : 'growing';
  console.log(`verdict: ${word} (flat = RSS slope <= ${FLAT_MB_PER_MIN} MB/min)`);
  return (flat || !enough) && missing === 0;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'cluster') {
    process.exitCode = await (await import('./soak-cluster.ts')).soakCluster(process.argv.slice(3));
    return;
  }
  const opts = parseOptions(process.argv.slice(2));
  const config = await loadConfig({
    test: true,
    testName: 'soak',
    // Like the harness: only the nats-server override passes, so a developer's NESTOR_* settings stay out.
    env: process.env.NESTOR_NATS_SERVER === undefined ? {} : { NESTOR_NATS_SERVER: process.env.NESTOR_NATS_SERVER },
    projectFile: null,
    flags: { events: { maxMsgs: opts.maxMsgs } },
  });
  const node = await bootNode({ config });
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= node.shutdown('soak finished').finally(() => rm(config.dataDir, { recursive: true, force: true })));
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    console.log(`soak: ${opts.minutes} min, sample every ${opts.intervalS} s, data dir ${config.dataDir}`);
    await node.register({ services: { looper: looperSpec(opts) } });
    const samples = await soak(node, opts);
    if (!verdict(samples, opts)) process.exitCode = 1;
  } finally {
    await stop();
  }
}

await main();
