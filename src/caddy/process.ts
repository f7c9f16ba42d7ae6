// One caddy child process: `caddy run --config <dir>/boot.json` with its admin API on a loopback
// port, its data and config dirs (certificates, the internal CA) under the node's data dir through
// XDG_DATA_HOME / XDG_CONFIG_HOME, its output appended to <dir>/caddy.log. A pid file lets the
// next start stop a caddy left over by a crashed node.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminGet } from './admin.ts';

/** Ports of a running caddy (never 0: a random port is chosen before the start). */
export interface CaddyPorts {
  http: number;
  https: number;
  admin: number;
}

/** How a caddy process ended. */
export interface CaddyExit {
  code: number | null;
  signal: string | null;
}

/** A running caddy. */
export interface CaddyProcess {
  readonly pid: number;
  readonly ports: CaddyPorts;
  readonly exited: Promise<CaddyExit>;
  /** The end of what caddy wrote (its log lines). */
  output(): string;
  /** SIGTERM, a bounded wait, then SIGKILL; idempotent. */
  stop(): Promise<void>;
}

/** Caddy did not start; the message carries the end of its output. */
export class CaddyStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaddyStartError';
  }
}

/** Options of launchCaddy. */
export interface LaunchCaddyOptions {
  binary: string;
  /** The node's caddy dir (<dataDir>/caddy). */
  dir: string;
  ports: CaddyPorts;
  /** The first config (it must carry the admin block). */
  config: (ports: CaddyPorts) => Record<string, unknown>;
  startTimeoutMs?: number;
}

/** Where caddy keeps its data (certificates, CA) and config under a node's caddy dir. */
export function caddyDirs(dir: string): { data: string; config: string } {
  return { data: join(dir, 'data'), config: join(dir, 'config') };
}

/** Picks free ports for the zeros, checks the admin port is free, starts caddy and waits for its admin API. */
export async function launchCaddy(opts: LaunchCaddyOptions): Promise<CaddyProcess> {
  const dirs = caddyDirs(opts.dir);
  await Promise.all([mkdir(dirs.data, { recursive: true }), mkdir(dirs.config, { recursive: true })]);
  await stopStale(opts.dir);
  const ports: CaddyPorts = {
    http: opts.ports.http || (await freePort()),
    https: opts.ports.https || (await freePort()),
    admin: opts.ports.admin || (await freePort()),
  };
  // Checked before the start: another server on the admin port would answer the readiness
  // poll below and pass for this caddy.
  if (!(await isFree(ports.admin))) {
    throw new CaddyStartError(`caddy's admin port 127.0.0.1:${ports.admin} (caddy.adminPort) is already in use; free it or choose another port (0 picks a free one)`);
  }
  const boot = join(opts.dir, 'boot.json');
  await writeFile(boot, JSON.stringify(opts.config(ports), null, 2));
  const log = createWriteStream(join(opts.dir, 'caddy.log'), { flags: 'a' });
  const child = spawn(opts.binary, ['run', '--config', boot], {
    cwd: opts.dir,
    env: { ...process.env, XDG_DATA_HOME: dirs.data, XDG_CONFIG_HOME: dirs.config },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    log.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-16_384);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<CaddyExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => {
      tail += `\n${err.message}`;
      resolve({ code: null, signal: null });
    });
  }).finally(() => log.end());
  let done = false;
  void exited.then(() => (done = true));
  const pidFile = join(opts.dir, 'caddy.pid');
  const stop = async (): Promise<void> => {
    if (!done) {
      child.kill('SIGTERM');
      const quit = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
      if (!quit) child.kill('SIGKILL');
      await exited;
    }
    await rm(pidFile, { force: true });
  };
  const proc: CaddyProcess = { pid: child.pid ?? 0, ports, exited, output: () => tail, stop };
  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  for (;;) {
    if (done) throw new CaddyStartError(`caddy (${opts.binary}) exited during its start: ${lastLines(tail)}`);
    if (await adminGet(ports.admin, '/config/').then(() => true, () => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new CaddyStartError(`caddy's admin API on 127.0.0.1:${ports.admin} did not answer within ${opts.startTimeoutMs ?? 10_000} ms: ${lastLines(tail)}`);
    }
    await sleep(50);
  }
  await writeFile(pidFile, String(proc.pid));
  return proc;
}

// The error lines of caddy's JSON log, or the raw end of its output.
function lastLines(text: string): string {
  const errors = text
    .split('\n')
    .map((l) => {
      try {
        const j = JSON.parse(l) as { level?: string; msg?: string; error?: string };
        return j.level === 'error' || j.level === 'fatal' ? `${j.msg ?? ''}${j.error ? `: ${j.error}` : ''}` : null;
      } catch {
        return l.trim() === '' ? null : l.trim();
      }
    })
    .filter((l): l is string => l !== null);
  return errors.slice(-3).join('; ') || '(no output)';
}

async function stopStale(dir: string): Promise<void> {
  const file = join(dir, 'caddy.pid');
  const pid = Number(await readFile(file, 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0) return;
  const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  // Only a caddy started from this dir: the pid may have been reused by anything else.
  if (cmd.includes('caddy') && cmd.includes(join(dir, 'boot.json'))) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && (await readFile(`/proc/${pid}/cmdline`, 'utf8').then(() => true, () => false)); i++) await sleep(100);
  }
  await rm(file, { force: true });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
