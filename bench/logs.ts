// Log throughput (the service's view): a service writes 200,000 lines to stdout as fast as it
// can and times itself from its first write to the callback of its last one. Whatever reads its
// pipe decides that time: a reader that falls behind fills the pipe and the service's writes
// wait. Four readers of the same service:
// - the floor: a plain Node parent piping the child's stdout into a file write stream;
// - PM2 at its defaults (private daemon, out_file in a temp dir, autorestart off: a one-shot);
// - Nestor at its defaults, in-process (createHarness boots the same node as `nestor up`), the
//   service a oneshot; then the log files are read back: every line, in order, nothing lost.
// - a real foreground `nestor up` in a temp project (random ports by default), which also
//   prints every line prefixed (`chatty | line …`) to its stdout, here a file; the lines it
//   printed and the log files are checked the same way.
// Run: node --import tsx bench/logs.ts   (BENCH_LOG_LINES, BENCH_LOG_ROUNDS change the size,
// BENCH_LOG_READERS=floor,pm2,nestor,up picks readers)
import { spawn } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHarness } from '../src/harness/index.ts';
import { withPm2 } from './pm2.ts';

const root = join(import.meta.dirname, '..');
const LINES = Number(process.env.BENCH_LOG_LINES ?? 200_000);
const ROUNDS = Number(process.env.BENCH_LOG_ROUNDS ?? 3);
const PADDING = 'x'.repeat(64);

// The service: line-by-line writes as a logger makes them, waiting for 'drain' when asked to;
// its time goes to the file named by its first argument, never to its own output.
const SERVICE = `
import { writeFileSync } from 'node:fs';
const [resultFile, count] = [process.argv[2], Number(process.argv[3])];
const t0 = performance.now();
let i = 0;
function more() {
  while (i < count) {
    const last = i === count - 1;
    const ok = process.stdout.write('line ' + i + ' ${PADDING}\\n', last ? done : undefined);
    i++;
    if (!ok && !last) return process.stdout.once('drain', more);
  }
}
function done(err) {
  writeFileSync(resultFile, String(err ? -1 : performance.now() - t0));
}
more();
`;

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits for the service's own time in `file`. */
async function readResult(file: string, timeoutMs = 120_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      if (text !== '') return Number(text);
    }
    await wait(20);
  }
  throw new Error(`no result in ${file}`);
}

/** What one run measured: the service's own time-to-write and the reader's CPU meanwhile. */
interface Run {
  ms: number;
  /** CPU (user + system) of the process reading the service's pipe, from launch to the result. */
  cpuMs: number;
}

/** CPU time of another process so far, from /proc (clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

const ownCpu = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** Checks that `text` holds exactly line 0 … LINES-1 in order; returns a problem or null. */
function checkLines(text: string): string | null {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length !== LINES) return `${lines.length} lines on disk, expected ${LINES}`;
  for (let i = 0; i < LINES; i++) {
    if (lines[i] !== `line ${i} ${PADDING}`) return `line ${i} is ${JSON.stringify(lines[i]?.slice(0, 40))}`;
  }
  return null;
}

/** A log file and its rotated predecessors, oldest first, concatenated. */
function readRotated(dir: string, base: string): string {
  const rotated = readdirSync(dir)
    .filter((f) => f.startsWith(`${base}.`) && /^\d+$/.test(f.slice(base.length + 1)))
    .map((f) => Number(f.slice(base.length + 1)))
    .sort((a, b) => b - a);
  return [...rotated.map((n) => `${base}.${n}`), base].map((f) => readFileSync(join(dir, f), 'utf8')).join('');
}

/** The floor: a plain parent, child's stdout piped into a file write stream. */
async function floor(dir: string, script: string): Promise<Run> {
  const result = join(dir, 'floor.result');
  const cpu0 = ownCpu();
  const out = createWriteStream(join(dir, 'floor.log'));
  const child = spawn(process.execPath, [script, result, String(LINES)], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.pipe(out);
  await new Promise<void>((r) => out.once('finish', () => r()));
  const ms = await readResult(result);
  const cpuMs = ownCpu() - cpu0;
  const problem = checkLines(readFileSync(join(dir, 'floor.log'), 'utf8'));
  if (problem !== null) throw new Error(`floor: ${problem}`);
  return { ms, cpuMs };
}

async function pm2(dir: string, script: string): Promise<Run> {
  const result = join(dir, 'pm2.result');
  const outFile = join(dir, 'pm2.log');
  return await withPm2(async (pm2) => {
    // Boot the daemon first, so its CPU from here on is the app's launch and its output.
    await pm2.cli(['ping']);
    const god = await pm2.daemonPid();
    const cpu0 = cpuOf(god);
    await pm2.start([{ name: 'chatty', script, args: [result, String(LINES)], out_file: outFile, error_file: join(dir, 'pm2.err'), autorestart: false }]);
    const ms = await readResult(result);
    const cpuMs = cpuOf(god) - cpu0;
    // PM2 writes the file after the pipe was read; give it a moment to catch up.
    let problem: string | null = 'not checked';
    for (let i = 0; i < 100 && problem !== null; i++) {
      problem = checkLines(existsSync(outFile) ? readFileSync(outFile, 'utf8') : '');
      if (problem !== null) await wait(100);
    }
    if (problem !== null) console.log(`  pm2: ${problem}`);
    return { ms, cpuMs };
  });
}

/** Nestor in-process: the harness boots the node `nestor up` boots; log files only (as `up -d`). */
async function nestor(dir: string, script: string): Promise<Run> {
  const result = join(dir, 'nestor.result');
  await using h = await createHarness({ name: 'bench-logs' });
  const cpu0 = ownCpu();
  await h.register({ services: { chatty: { kind: 'oneshot', process: { command: process.execPath, args: [script, result, String(LINES)] } } } }, { skipDeps: true });
  const ms = await readResult(result);
  const cpuMs = ownCpu() - cpu0;
  await h.waitForState('chatty', 'completed', { timeoutMs: 60_000 });
  const problem = checkLines(readRotated(join(h.dataDir, 'logs'), 'chatty.log'));
  if (problem !== null) throw new Error(`nestor: ${problem}`);
  return { ms, cpuMs };
}

/** A real foreground `nestor up` (its own process), its prefixed console copy going into a file. */
async function nestorUp(dir: string, script: string): Promise<Run> {
  const result = join(dir, 'up.result');
  await writeFile(
    join(dir, 'nestor.yaml'),
    `services:\n  chatty:\n    kind: oneshot\n    process:\n      command: ${JSON.stringify(process.execPath)}\n      args: ${JSON.stringify([script, result, String(LINES)])}\n`,
  );
  const out = openSync(join(dir, 'up.out'), 'w');
  const err = openSync(join(dir, 'up.err'), 'w');
  const up = spawn(process.execPath, [join(root, 'bin', 'nestor.js'), 'up'], { cwd: dir, stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  const exited = new Promise<void>((r) => up.once('exit', () => r()));
  const progress = (): string => readFileSync(join(dir, 'up.err'), 'utf8');
  try {
    // Its CPU is counted from the service's start, not from its own boot.
    for (let i = 0; i < 6000 && !progress().includes('→ running'); i++) await wait(5);
    const cpu0 = cpuOf(up.pid as number);
    const ms = await readResult(result);
    const cpuMs = cpuOf(up.pid as number) - cpu0;
    for (let i = 0; i < 600 && !progress().includes('→ completed'); i++) await wait(100);
    const problem = checkLines(readRotated(join(dir, '.data', 'logs'), 'chatty.log'));
    if (problem !== null) throw new Error(`nestor up: ${problem}`);
    const shown = readFileSync(join(dir, 'up.out'), 'utf8').split('\n').filter((l) => l.startsWith('chatty | line ')).length;
    if (shown !== LINES) throw new Error(`nestor up printed ${shown} of ${LINES} lines`);
    return { ms, cpuMs };
  } finally {
    up.kill('SIGTERM');
    await exited;
  }
}

// BENCH_LOG_READERS=nestor,up runs only those (to profile one reader with --cpu-prof).
const chosen = process.env.BENCH_LOG_READERS?.split(',');
const wanted = (reader: string): boolean => chosen === undefined || chosen.includes(reader);
const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(' / ');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Runs every reader ROUNDS times (interleaved, so load changes hit them alike) and prints each
 * one's time-to-write, its ratio to the floor (medians and best runs) and the reader's CPU. */
export async function benchLogs(): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-bench-logs-'));
  const script = join(dir, 'chatty.mjs');
  await writeFile(script, SERVICE);
  const readers: [string, string, (dir: string, script: string) => Promise<Run>][] = [
    ['floor', 'floor (pipe → file stream)', floor],
    ['pm2', 'PM2 (defaults)', pm2],
    ['nestor', 'Nestor (harness, files only)', nestor],
    ['up', 'nestor up (foreground)', nestorUp],
  ];
  const runs = new Map<string, Run[]>(readers.map(([key]) => [key, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [key, , run] of readers) {
        // A fresh directory per run: a result or log file of the previous round must not count.
        if (wanted(key)) runs.get(key)?.push(await run(await mkdtemp(join(dir, `${key}-`)), script));
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const floorMs = runs.get('floor')?.map((r) => r.ms) ?? [];
  const out: Record<string, number> = {};
  console.log(`${LINES} lines to stdout; time from first write to last write callback; ${ROUNDS} rounds; load ${loadavg()[0]?.toFixed(1)}:`);
  for (const [key, name] of readers) {
    const rs = runs.get(key) ?? [];
    if (rs.length === 0) continue;
    const ms = rs.map((r) => r.ms);
    const ratio = floorMs.length === 0 ? '' : `, ${(median(ms) / median(floorMs)).toFixed(2)}× the floor (best ${(Math.min(...ms) / Math.min(...floorMs)).toFixed(2)}×)`;
    console.log(`  ${name.padEnd(29)} ${fmt(ms)} ms (median ${median(ms).toFixed(0)}${ratio}); reader CPU ${fmt(rs.map((r) => r.cpuMs))} ms`);
    out[key] = median(ms);
  }
  console.log('  every line on disk in order (Nestor across rotation), nothing lost ✔; target ≤ 1.25× the floor');
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchLogs();
}
