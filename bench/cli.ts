// How long a `nestor` command takes, start to exit, as a user's shell sees it (median of 10
// runs each): `--version`, `status` with nothing running, `status` against a running stack of
// 50 idle services (a real `nestor up --detach` in a temp project, `down` afterwards). The
// compiled command (`npm run build`, which this benchmark runs first; NESTOR_USE_DIST=1) is
// what the package ships; the dev path (tsx compiling src/ on each call) is shown beside it.
// PM2's column: `pm2 --version`, `pm2 jlist` and `pm2 ls` with 50 apps on a private daemon. The
// floor is Node starting and exiting (`node -e 0`), which every one of these pays. Beside the
// wall time, the CPU time of the command (user + system, from this process's children's
// account in /proc/self/stat, 10 ms ticks): on a loaded machine it moves far less than the wall.
// Run: npm run bench -- cli   (BENCH_CLI_RUNS changes the 10)
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { withPm2 } from './pm2.ts';

const root = join(import.meta.dirname, '..');
const BIN = join(root, 'bin', 'nestor.js');
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 10);
const SERVICES = 50;
const IDLE = 'setInterval(() => {}, 1000)';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

/** CPU time (ms) of the children this process has waited for: cutime + cstime. */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function mid(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Medians of wall and CPU time over RUNS sequential runs of `fn`; `expect` checks each exit code. */
async function median(fn: () => Promise<Run>, expect: number): Promise<{ wall: number; cpu: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = childrenCpuMs();
    const t0 = performance.now();
    const r = await fn();
    wall.push(performance.now() - t0);
    cpu.push(childrenCpuMs() - c0);
    if (r.code !== expect) throw new Error(`exited ${r.code}, expected ${expect}\n${r.stdout}\n${r.stderr}`);
  }
  return { wall: mid(wall), cpu: mid(cpu) };
}

const compiled = { ...process.env, NESTOR_USE_DIST: '1' };
const dev = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NESTOR_USE_DIST'));
const nestor = (args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> => run([BIN, ...args], cwd, env);

function projectYaml(count: number): string {
  let y = 'name: bench-cli\nservices:\n';
  for (let i = 0; i < count; i++) y += `  s${i}:\n    process:\n      command: node\n      args: ["-e", ${JSON.stringify(IDLE)}]\n`;
  return y;
}

/** Kills whatever a failed run left running from `dir` (the detached node, its broker, services). */
function killUnder(dir: string): void {
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cmdline.includes(dir) || cwd === dir || cwd.startsWith(`${dir}/`)) process.kill(pid, 'SIGKILL');
    } catch {
      // gone, or not ours
    }
  }
}

type Figure = { wall: number; cpu: number };
const fmt = (x: Figure | undefined): string => (x === undefined ? '–' : `${x.wall.toFixed(0)} ms (CPU ${x.cpu.toFixed(0)})`);

/** Builds dist/, then times the CLI verbs compiled and through tsx, and PM2's. */
export async function benchCli(): Promise<Record<string, Figure>> {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0) throw new Error('npm run build failed');
  const r: Record<string, Figure> = {};
  const dir = await mkdtemp(join(tmpdir(), 'nestor-bench-cli-'));
  try {
    await writeFile(join(dir, 'nestor.yaml'), projectYaml(SERVICES));
    r.floor = await median(() => run(['-e', '0'], dir), 0);
    r.versionCompiled = await median(() => nestor(['--version'], dir, compiled), 0);
    r.versionDev = await median(() => nestor(['--version'], dir, dev), 0);
    // Exit 1: "Nestor is not running in ...".
    r.statusNoneCompiled = await median(() => nestor(['status'], dir, compiled), 1);
    r.statusNoneDev = await median(() => nestor(['status'], dir, dev), 1);
    const up = await nestor(['up', '--detach'], dir, compiled);
    if (up.code !== 0) throw new Error(`nestor up --detach exited ${up.code}\n${up.stderr}`);
    try {
      r.status50Compiled = await median(() => nestor(['status'], dir, compiled), 0);
      r.status50Dev = await median(() => nestor(['status'], dir, dev), 0);
    } finally {
      const down = await nestor(['down', '--force'], dir, compiled);
      if (down.code !== 0) console.error(`nestor down exited ${down.code}: ${down.stderr}`);
    }
  } finally {
    killUnder(dir);
    await rm(dir, { recursive: true, force: true });
  }

  await withPm2(async (pm2) => {
    await pm2.start(Array.from({ length: SERVICES }, (_, i) => ({ name: `s${i}`, script: process.execPath, args: ['-e', IDLE], interpreter: 'none' })));
    const pm2Run = (args: string[]) => (): Promise<Run> =>
      pm2.cli(args).then(
        (stdout) => ({ code: 0, stdout, stderr: '' }),
        (err: Error) => ({ code: 1, stdout: '', stderr: err.message }),
      );
    r.pm2Version = await median(pm2Run(['--version']), 0);
    r.pm2Jlist = await median(pm2Run(['jlist']), 0);
    r.pm2Ls = await median(pm2Run(['ls']), 0);
  });

  const rows: [string, Figure | undefined, Figure | undefined, string, string][] = [
    ['--version', r.versionCompiled, r.versionDev, `pm2 --version ${fmt(r.pm2Version)}`, '≤ 100 ms'],
    ['status, nothing running', r.statusNoneCompiled, r.statusNoneDev, '–', '–'],
    [`status, ${SERVICES} services running`, r.status50Compiled, r.status50Dev, `pm2 jlist ${fmt(r.pm2Jlist)}, pm2 ls ${fmt(r.pm2Ls)}`, '≤ 250 ms'],
  ];
  console.log(`median of ${RUNS} runs, start to exit (CPU: user + system of the command); floor (node -e 0) ${fmt(r.floor)}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('| command | compiled | dev (tsx) | PM2 | target |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [what, c, d, p, target] of rows) console.log(`| ${what} | ${fmt(c)} | ${fmt(d)} | ${p} | ${target} |`);
  return r;
}
