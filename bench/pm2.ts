// PM2 at its defaults, for the side-by-side benchmarks: a private PM2_HOME per run (so a user's
// own PM2 is never touched), apps started from an ecosystem file, pids read from `pm2 jlist`,
// and the daemon killed afterwards whatever happened. PM2 is a devDependency used only here.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PM2_BIN = join(import.meta.dirname, '..', 'node_modules', 'pm2', 'bin', 'pm2');

/** One app of an ecosystem file, as PM2 names its fields. */
export interface Pm2App {
  name: string;
  script: string;
  args?: string[];
  env?: Record<string, string>;
  /** PM2's `interpreter`; 'none' runs a binary directly. */
  interpreter?: string;
  out_file?: string;
  error_file?: string;
  /** false: a script that exits stays stopped (a one-shot). */
  autorestart?: boolean;
}

/** What PM2 reports for one of its processes. */
export interface Pm2Process {
  name: string;
  pid: number;
  status: string;
  restarts: number;
}

/** A private PM2 daemon. */
export interface Pm2 {
  home: string;
  /** Runs the pm2 CLI with this daemon's PM2_HOME; rejects on a non-zero exit. */
  cli(args: string[]): Promise<string>;
  start(apps: Pm2App[]): Promise<void>;
  list(): Promise<Pm2Process[]>;
  /** Pid of PM2's God daemon. */
  daemonPid(): Promise<number>;
}

/** Runs `fn` with a fresh PM2 daemon and kills it (and its apps) afterwards. */
export async function withPm2<T>(fn: (pm2: Pm2) => Promise<T>): Promise<T> {
  const home = await mkdtemp(join(tmpdir(), 'nestor-bench-pm2-'));
  const env = { ...process.env, PM2_HOME: home, PM2_DISCRETE_MODE: 'true' };
  const cli = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(process.execPath, [PM2_BIN, ...args], { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
        err ? reject(new Error(`pm2 ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
      );
    });
  const pm2: Pm2 = {
    home,
    cli,
    async start(apps) {
      const file = join(home, 'ecosystem.config.json');
      await writeFile(file, JSON.stringify({ apps }));
      await cli(['start', file]);
    },
    async list() {
      const raw = JSON.parse(await cli(['jlist'])) as { name: string; pid: number; pm2_env: { status: string; restart_time: number } }[];
      return raw.map((p) => ({ name: p.name, pid: p.pid, status: p.pm2_env.status, restarts: p.pm2_env.restart_time }));
    },
    async daemonPid() {
      return Number(await readFile(join(home, 'pm2.pid'), 'utf8'));
    },
  };
  try {
    return await fn(pm2);
  } finally {
    await cli(['kill']).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
  }
}
