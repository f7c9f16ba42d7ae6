// Shared parts of the footprint and scale benchmarks: the same tiny HTTP app for every
// supervisor, the floor (a plain Node parent), a real `nestor up --detach` in a temp project,
// and /proc readings (RSS, PSS, USS, CPU ticks).
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

export const ROOT = join(import.meta.dirname, '..');
export const NESTOR_BIN = join(ROOT, 'bin', 'nestor.js');

/** Memory of one process from /proc/<pid>/smaps_rollup, in MB. USS = private pages only. */
export interface Mem {
  rss: number;
  pss: number;
  uss: number;
}

/** RSS, PSS and USS of a process (zeros once it is gone). */
export function memOf(pid: number): Mem {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { rss: kb('Rss') / 1024, pss: kb('Pss') / 1024, uss: (kb('Private_Clean') + kb('Private_Dirty')) / 1024 };
  } catch {
    return { rss: 0, pss: 0, uss: 0 };
  }
}

/** Sum of several processes' memory. */
export function memSum(pids: number[]): Mem {
  return pids.map(memOf).reduce((a, b) => ({ rss: a.rss + b.rss, pss: a.pss + b.pss, uss: a.uss + b.uss }), { rss: 0, pss: 0, uss: 0 });
}

/** User + system clock ticks (1/100 s) of a process. */
export function ticksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** CPU of each process over `ms`, in % of one core. */
export async function cpuOver(pids: Record<string, number>, ms: number): Promise<Record<string, number>> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, ticksOf(pid)]));
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const wall = performance.now() - t0;
  return Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, (((ticksOf(pid) - (before[k] ?? 0)) * 10) / wall) * 100]));
}

/** Pids whose command line contains every one of `parts`. */
export function pidsMatching(...parts: string[]): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (parts.every((p) => cmd.includes(p))) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export const APP = "require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT || process.env.NESTOR_PORT), '127.0.0.1');\n";

// The floor: spawns every app in its own group, polls each port every PROBE ms until it answers
// (then keeps polling all, as a supervisor's probes do), and on SIGTERM stops them all at once.
// Each poll opens a new connection (agent: false), as Nestor's probes do: Node's global agent
// keeps connections alive, which halves the cost of a poll but proves less. An app that died
// before the stop (its port taken meanwhile by another program) counts as stopped.

const FLOOR = `
const { spawn } = require('child_process'); const http = require('http');
const [app, portsArg, probeMs] = process.argv.slice(2); const ports = portsArg.split(',').map(Number);
const t0 = Date.now();
const kids = ports.map((port) => spawn(process.execPath, [app], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore', detached: true }));
const probe = (port) => new Promise((res) => { const r = http.get({ host: '127.0.0.1', port, path: '/', timeout: 1000, agent: false }, (m) => { m.resume(); res(m.statusCode === 200); }); r.on('error', () => res(false)); r.on('timeout', () => { r.destroy(); res(false); }); });
const pending = new Set(ports); let told = false;
const round = async () => { await Promise.all(ports.map(async (p) => { if (await probe(p)) pending.delete(p); }));
  if (!told && pending.size === 0) { told = true; console.log('ready ' + (Date.now() - t0)); }
  timer = setTimeout(round, Number(probeMs)); };
let timer = setTimeout(round, 0);
process.on('SIGTERM', () => { clearTimeout(timer); const t1 = Date.now(); let left = kids.length;
  const gone = () => { if (--left === 0) { console.log('stopped ' + (Date.now() - t1)); process.exit(0); } };
  for (const k of kids) { if (k.exitCode !== null || k.signalCode !== null) { gone(); continue; } k.on('exit', gone); try { process.kill(-k.pid, 'SIGTERM'); } catch {} } });
`;

/** A temp folder with the app and the floor script. */
export async function benchDir(prefix: string): Promise<{ dir: string; app: string; floor: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const app = join(dir, 'app.cjs');
  const floor = join(dir, 'floor.cjs');
  await writeFile(app, APP);
  await writeFile(floor, FLOOR);
  return { dir, app, floor, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A running floor parent. */
export interface Floor {
  pid: number;
  /** Ms from its spawn until every app answered. */
  ready: Promise<number>;
  /** SIGTERM; resolves with the ms it took every app to exit. */
  stop(): Promise<number>;
  kill(): void;
}

/** Starts the floor parent on `ports`. */
export function startFloor(floorScript: string, app: string, ports: number[], probeMs: number): Floor {
  const child = spawn(process.execPath, [floorScript, app, ports.join(','), String(probeMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const waiters = new Map<string, (ms: number) => void>();
  lines.on('line', (line) => {
    const [word, ms] = line.split(' ');
    waiters.get(word as string)?.(Number(ms));
  });
  const next = (word: string): Promise<number> => new Promise((resolve) => waiters.set(word, resolve));
  const ready = next('ready');
  return {
    pid: child.pid as number,
    ready,
    stop() {
      const stopped = next('stopped');
      child.kill('SIGTERM');
      return stopped;
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}

/** Polls every port every `probeMs` until all answer 200. */
export async function waitPorts(ports: number[], probeMs: number, timeoutMs = 300_000): Promise<void> {
  const pending = new Set(ports);
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0) {
    if (Date.now() > deadline) throw new Error(`${pending.size} ports still not answering`);
    await Promise.all(
      [...pending].map(async (port) => {
        const ok = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200, () => false);
        if (ok) pending.delete(port);
      }),
    );
    if (pending.size > 0) await new Promise((r) => setTimeout(r, probeMs));
  }
}

/** Runs the nestor CLI in `cwd` (the packaged dist/ unless BENCH_NESTOR_SRC=1); resolves with its output and wall time. */
export function nestor(args: string[], cwd: string): Promise<{ code: number; out: string; ms: number }> {
  const env = { ...process.env, ...(process.env.BENCH_NESTOR_SRC === '1' ? {} : { NESTOR_USE_DIST: '1' }) };
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [NESTOR_BIN, ...args], { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), out: stdout + stderr, ms: performance.now() - t0 }),
    );
  });
}

/** Like nestor(), with each output line's arrival time (ms since the launch). */
export function nestorTimed(args: string[], cwd: string): Promise<{ code: number; lines: { ms: number; line: string }[]; ms: number }> {
  const env = { ...process.env, ...(process.env.BENCH_NESTOR_SRC === '1' ? {} : { NESTOR_USE_DIST: '1' }) };
  const t0 = performance.now();
  const child = spawn(process.execPath, [NESTOR_BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: { ms: number; line: string }[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => lines.push({ ms: performance.now() - t0, line }));
  }
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, lines, ms: performance.now() - t0 })));
}

/** Builds dist/ once, so the benchmark runs what the package ships (not the tsx loader of a checkout). */
export async function ensureDist(): Promise<void> {
  if (process.env.BENCH_NESTOR_SRC === '1' || process.env.BENCH_SKIP_BUILD === '1') return;
  console.log('  building dist/ (BENCH_SKIP_BUILD=1 reuses it, BENCH_NESTOR_SRC=1 runs the sources through tsx)');
  await new Promise<void>((resolve, reject) =>
    execFile('npm', ['run', 'build'], { cwd: ROOT }, (err) => (err ? reject(err) : resolve())),
  );
}

/** A nestor.yaml with `count` app services probed over HTTP every `probeMs`; `groups` > 0 makes every service but each group's first depend on it. */
export function projectYaml(app: string, count: number, probeMs: number, groups = 0): string {
  const lines = ['name: bench', 'services:'];
  const size = groups > 0 ? Math.ceil(count / groups) : count;
  for (let i = 0; i < count; i++) {
    lines.push(`  s${i}:`);
    lines.push(`    process: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(app)}] }`);
    lines.push('    portStrategy: random');
    lines.push('    ports: { primary: { port: 0, protocol: http } }');
    lines.push(`    health: { type: http, endpoint: /, interval: ${probeMs}ms }`);
    const base = i - (i % size);
    if (groups > 0 && base !== i) lines.push(`    dependencies: [{ id: s${base}, condition: started }]`);
  }
  return `${lines.join('\n')}\n`;
}

/** Nestor's own processes in a project: orchestrator, nats-server, guardian. */
export function nestorPids(dir: string): { orchestrator: number; nats: number; guardian: number } {
  const dataDir = join(dir, '.data');
  const runtime = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as { pid: number };
  const natsPidFile = join(dataDir, 'nats', 'nats-server.pid');
  const nats = existsSync(natsPidFile) ? Number(readFileSync(natsPidFile, 'utf8').trim()) : 0;
  const guardian = pidsMatching('guardian', dataDir)[0] ?? 0;
  return { orchestrator: runtime.pid, nats, guardian };
}

/** Stops a project's stack whatever state it is in: `down --force`, then SIGKILL of what is left. */
export async function downHard(dir: string): Promise<void> {
  let orchestrator: number[] = [];
  try {
    orchestrator = [nestorPids(dir).orchestrator];
  } catch {
    // never came up
  }
  await nestor(['down', '--force', '--timeout', '20s'], dir);
  // The apps, nats-server and guardian name the folder on their command line; `up` does not.
  for (const pid of [...orchestrator, ...pidsMatching(dir)]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

export type { ChildProcess };
export const fmt = (x: number, digits = 1): string => x.toFixed(digits);
