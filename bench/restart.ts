// Restart after kill -9 at DEFAULT settings, three supervisors side by side, each a separate
// process running SERVICES small Node HTTP services:
// - the floor: a plain Node parent respawning each child on 'exit' (bench/fixtures/respawn.mjs);
// - PM2 at its defaults (bench/pm2.ts);
// - Nestor: a real `nestor up` of a temporary project whose services set nothing but their
//   command and fixed port (no backoff override).
// Each round SIGKILLs one service process and times kill → a new child pid of the supervisor in
// /proc (its fork, before the exec of the service). Services are killed round-robin, so each
// one's replacement has run past Nestor's resetAfter (30 s) before it is killed again: every
// kill hits a stable service, the case the immediate first restart is for.
// Then a crash loop under Nestor's defaults: the delays of its restart.scheduled events and how
// it ended. Run: npm run bench -- restart   (BENCH_RESTART_KILLS=n sets the number of kills)
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { allocatePort } from '../src/process/index.ts';
import { withPm2 } from './pm2.ts';

const root = join(import.meta.dirname, '..');
const SERVICE = join(import.meta.dirname, 'fixtures', 'http-service.mjs');
const FLOOR = join(import.meta.dirname, 'fixtures', 'respawn.mjs');
const NESTOR_BIN = join(root, 'bin', 'nestor.js');
const MARKER = 'restart-bench-svc';
const SERVICES = 16;
const KILLS = Number(process.env.BENCH_RESTART_KILLS ?? 48);
/** Nestor's default resetAfter plus a margin: the least time between two kills of one service. */
const STABLE_MS = 32_000;
const SETTLE_MS = 3_000;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
};
const ms = (x: number): string => `${x.toFixed(1)} ms`;

// A sleep that blocks this process without spinning: the poll below stays fine-grained (0.2 ms)
// while leaving the CPU to the supervisor it watches.
const cell = new Int32Array(new SharedArrayBuffer(4));
const nap = (millis: number): void => void Atomics.wait(cell, 0, 0, millis);

/** Pids of the children of a process's main thread (where Node forks its children). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/** The pid of the service on `port` among the supervisor's children, once it has exec'd. */
async function servicePid(supervisor: number, port: number, timeoutMs = 30_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const pid = childrenOf(supervisor).find((c) => cmdline(c).endsWith(`${MARKER} ${port}`));
    if (pid !== undefined) return pid;
    if (performance.now() > deadline) throw new Error(`no service on port ${port} under pid ${supervisor}`);
    await sleep(5);
  }
}

/** Kills services round-robin, `gapMs` apart; returns kill → new child pid, in ms, per kill. */
async function killRounds(supervisor: number, ports: number[], gapMs: number): Promise<number[]> {
  // The services have exec'd, but 16 Node processes booting at once keep both cores busy for a
  // while: the first kills would measure that, not the supervisor.
  await sleep(SETTLE_MS);
  const out: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    const port = ports[i % ports.length] as number;
    const victim = await servicePid(supervisor, port);
    const before = new Set(childrenOf(supervisor));
    const t0 = performance.now();
    process.kill(victim, 'SIGKILL');
    for (;;) {
      if (childrenOf(supervisor).some((c) => !before.has(c))) break;
      if (performance.now() - t0 > 20_000) throw new Error(`no new child of ${supervisor} 20 s after killing ${victim}`);
      nap(0.2);
    }
    out.push(performance.now() - t0);
    await servicePid(supervisor, port);
    await sleep(gapMs);
  }
  return out;
}

const argvFor = (port: number): string[] => [process.execPath, SERVICE, MARKER, String(port)];
const ports = (): Promise<number[]> => Promise.all(Array.from({ length: SERVICES }, () => allocatePort()));

async function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  if ((await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)])) === false) {
    process.kill(-(child.pid as number), 'SIGKILL');
    await exited;
  }
}

async function floor(): Promise<number[]> {
  const ps = await ports();
  const parent = spawn(process.execPath, [FLOOR, JSON.stringify(ps.map(argvFor))], { stdio: 'ignore', detached: true });
  try {
    for (const p of ps) await servicePid(parent.pid as number, p);
    return await killRounds(parent.pid as number, ps, 500);
  } finally {
    await stopChild(parent, 'SIGTERM', 5_000);
  }
}

async function pm2(): Promise<number[]> {
  const ps = await ports();
  return withPm2(async (pm2) => {
    // PM2's process container renames the process (process.title); PROCESS_TITLE keeps our marker.
    const title = (p: number): string => argvFor(p).slice(1).join(' ');
    await pm2.start(ps.map((p, i) => ({ name: `s${i}`, script: SERVICE, args: [MARKER, String(p)], env: { PROCESS_TITLE: title(p) } })));
    const god = await pm2.daemonPid();
    for (const p of ps) await servicePid(god, p);
    // PM2 counts a restart within min_uptime (1 s) as unstable; round-robin keeps every kill past it.
    return await killRounds(god, ps, 500);
  });
}

/** A temporary project: SERVICES HTTP services at defaults, plus a crash looper left disabled. */
async function nestorProject(ps: number[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-bench-restart-'));
  const services: Record<string, unknown> = {};
  ps.forEach((port, i) => {
    const [command, ...args] = argvFor(port);
    services[`s${i}`] = { process: { command, args }, ports: { primary: { port, protocol: 'http' } } };
  });
  services.crasher = { process: { command: process.execPath, args: ['-e', 'process.exit(1)'] } };
  await writeFile(join(dir, 'nestor.json'), JSON.stringify({ name: 'bench-restart', services }, null, 2));
  return dir;
}

function nestorCli(dir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NESTOR_BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`nestor ${args.join(' ')}: exit ${code}: ${err}`))));
  });
}

interface CrashLoop {
  delays: number[];
  /** Time from each exit to the next start event, by the events' timestamps. */
  gaps: number[];
  end: string;
}

/** Enables the crash looper and reads its events until it has given up. */
async function crashLoop(dir: string): Promise<CrashLoop> {
  await nestorCli(dir, ['enable', 'crasher']);
  type Ev = { type: string; timestamp: string; data: { delayMs?: number } };
  for (const deadline = performance.now() + 60_000; performance.now() < deadline; await sleep(500)) {
    const events = (await nestorCli(dir, ['events', '--service', 'crasher', '--json']))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Ev);
    const end = events.find((e) => e.type === 'orchestrator.service.retries.exhausted');
    if (end === undefined) continue;
    const at = (e: Ev): number => Date.parse(e.timestamp);
    const gaps: number[] = [];
    events.forEach((e, i) => {
      if (e.type !== 'orchestrator.service.exit') return;
      const next = events.slice(i).find((n) => n.type === 'orchestrator.service.start');
      if (next !== undefined) gaps.push(at(next) - at(e));
    });
    const delays = events.flatMap((e) => (e.type === 'orchestrator.service.restart.scheduled' ? [e.data.delayMs as number] : []));
    const status = JSON.parse(await nestorCli(dir, ['status', 'crasher', '--json'])) as { services: { state: string; restarts: number }[] };
    const svc = status.services[0];
    return { delays, gaps, end: `ended ${svc?.state ?? '?'} after ${svc?.restarts ?? '?'} restarts` };
  }
  throw new Error('the crash looper did not give up within 60 s');
}

async function nestor(): Promise<{ latencies: number[]; loop: CrashLoop }> {
  const ps = await ports();
  const dir = await nestorProject(ps);
  const up = spawn(process.execPath, [NESTOR_BIN, 'up', '--disable', 'crasher'], { cwd: dir, stdio: 'ignore', detached: true });
  try {
    for (const p of ps) await servicePid(up.pid as number, p, 60_000);
    const gap = Math.ceil(STABLE_MS / SERVICES);
    const latencies = await killRounds(up.pid as number, ps, gap);
    return { latencies, loop: await crashLoop(dir) };
  } finally {
    await stopChild(up, 'SIGTERM', 20_000);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the three supervisors in turn and prints kill → new pid, p50/p99, and the crash loop. */
export async function benchRestart(): Promise<Record<string, number>> {
  console.log(`  ${SERVICES} services each, ${KILLS} kills; Nestor waits ${STABLE_MS / SERVICES} ms between kills so each run passes resetAfter`);
  const f = await floor();
  const p = await pm2();
  const n = await nestor();
  const row = (name: string, xs: number[]): string =>
    `  ${name.padEnd(7)} p50 ${ms(pct(xs, 50)).padStart(9)}  p99 ${ms(pct(xs, 99)).padStart(9)}  (x${(pct(xs, 50) / pct(f, 50)).toFixed(1)} / x${(pct(xs, 99) / pct(f, 99)).toFixed(1)} the floor)`;
  console.log('restart after kill -9 at defaults, kill → new child pid:');
  console.log(row('floor', f));
  console.log(row('pm2', p));
  console.log(row('nestor', n.latencies));
  console.log(`  nestor/pm2: p50 x${(pct(n.latencies, 50) / pct(p, 50)).toFixed(2)}, p99 x${(pct(n.latencies, 99) / pct(p, 99)).toFixed(2)}`);
  console.log(`crash loop under Nestor's defaults: delays ${n.loop.delays.join(', ')} ms; exit → next start ${n.loop.gaps.join(', ')} ms; ${n.loop.end}`);
  return {
    floorP50: pct(f, 50),
    floorP99: pct(f, 99),
    pm2P50: pct(p, 50),
    pm2P99: pct(p, 99),
    nestorP50: pct(n.latencies, 50),
    nestorP99: pct(n.latencies, 99),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchRestart();
}
