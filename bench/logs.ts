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
import { tmpdir } from 'node:os';
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
async function floor(dir: string, script: string): Promise<number> {
  const result = join(dir, 'floor.result');
  const out = createWriteStream(join(dir, 'floor.log'));
  const child = spawn(process.execPath, [script, result, String(LINES)], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.pipe(out);
  await new Promise<void>((r) => out.once('finish', () => r()));
  const ms = await readResult(result);
  const problem = checkLines(readFileSync(join(dir, 'floor.log'), 'utf8'));
  if (problem !== null) throw new Error(`floor: ${problem}`);
  return ms;
}

async function pm2(dir: string, script: string): Promise<number> {
  const result = join(dir, 'pm2.result');
  const outFile = join(dir, 'pm2.log');
  return await withPm2(async (pm2) => {
    await pm2.start([{ name: 'chatty', script, args: [result, String(LINES)], out_file: outFile, error_file: join(dir, 'pm2.err'), autorestart: false }]);
    const ms = await readResult(result);
    // PM2 writes the file after the pipe was read; give it a moment to catch up.
    let problem: string | null = 'not checked';
    for (let i = 0; i < 100 && problem !== null; i++) {
      problem = checkLines(existsSync(outFile) ? readFileSync(outFile, 'utf8') : '');
      if (problem !== null) await wait(100);
    }
    if (problem !== null) console.log(`  pm2: ${problem}`);
    return ms;
  });
}

/** Nestor in-process: the harness boots the node `nestor up` boots; log files only (as `up -d`). */
async function nestor(dir: string, script: string): Promise<number> {
  const result = join(dir, 'nestor.result');
  await using h = await createHarness({ name: 'bench-logs' });
  await h.register({ services: { chatty: { kind: 'oneshot', process: { command: process.execPath, args: [script, result, String(LINES)] } } } }, { skipDeps: true });
  const ms = await readResult(result);
  await h.waitForState('chatty', 'completed', { timeoutMs: 60_000 });
  const problem = checkLines(readRotated(join(h.dataDir, 'logs'), 'chatty.log'));
  if (problem !== null) throw new Error(`nestor: ${problem}`);
  return ms;
}

/** A real foreground `nestor up` (its own process), its prefixed console copy going into a file. */
async function nestorUp(dir: string, script: string): Promise<number> {
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
  try {
    const ms = await readResult(result);
    for (let i = 0; i < 600 && !readFileSync(join(dir, 'up.err'), 'utf8').includes('→ completed'); i++) await wait(100);
    const problem = checkLines(readRotated(join(dir, '.data', 'logs'), 'chatty.log'));
    if (problem !== null) throw new Error(`nestor up: ${problem}`);
    const shown = readFileSync(join(dir, 'up.out'), 'utf8').split('\n').filter((l) => l.startsWith('chatty | line ')).length;
    if (shown !== LINES) throw new Error(`nestor up printed ${shown} of ${LINES} lines`);
    return ms;
  } finally {
    up.kill('SIGTERM');
    await exited;
  }
}

// BENCH_LOG_READERS=nestor,up runs only those (to profile one reader with --cpu-prof).
const readers = process.env.BENCH_LOG_READERS?.split(',');
const wanted = (reader: string): boolean => readers === undefined || readers.includes(reader);
const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(' / ');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Runs every reader ROUNDS times and prints each one's time-to-write and its ratio to the floor. */
export async function benchLogs(): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-bench-logs-'));
  const script = join(dir, 'chatty.mjs');
  await writeFile(script, SERVICE);
  const runs = { floor: [] as number[], pm2: [] as number[], nestor: [] as number[], up: [] as number[] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // A fresh directory per round: a result or log file of the previous round must not count.
      const at = async (name: string): Promise<string> => await mkdtemp(join(dir, `${name}-`));
      if (wanted('floor')) runs.floor.push(await floor(await at('floor'), script));
      if (wanted('pm2')) runs.pm2.push(await pm2(await at('pm2'), script));
      if (wanted('nestor')) runs.nestor.push(await nestor(await at('nestor'), script));
      if (wanted('up')) runs.up.push(await nestorUp(await at('up'), script));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const f = median(runs.floor);
  const row = (name: string, xs: number[]): string =>
    xs.length === 0 ? `  ${name.padEnd(28)} not run` : `  ${name.padEnd(28)} ${fmt(xs)} ms (median ${median(xs).toFixed(0)}, ${(median(xs) / f).toFixed(2)}× the floor)`;
  console.log(`${LINES} lines to stdout, time from first write to last write callback, ${ROUNDS} rounds:`);
  console.log(row('floor (pipe → file stream)', runs.floor));
  console.log(row('PM2 (defaults)', runs.pm2));
  console.log(row('Nestor (harness, files only)', runs.nestor));
  console.log(row('nestor up (foreground)', runs.up));
  console.log('  Nestor log files: every line on disk, in order, across rotation ✔ (target ≤ 1.25× the floor)');
  return { floor: f, pm2: median(runs.pm2), nestor: median(runs.nestor), up: median(runs.up) };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchLogs();
}
