// Helpers for the demo-service tests: build the demos into a temp dep dir, allocate ports,
// run a demo in its own process group and wait for its output lines (never for time).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { ensureDeps } from '../../src/dep/index.ts';

/** The repository root (the project whose demos we build). */
export const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** Builds alpha and beta into a fresh temp dep dir, removed after the suite. */
export async function buildDemos(): Promise<{ alpha: string; beta: string; depDir: string }> {
  const depDir = await mkdtemp(join(tmpdir(), 'nestor-demo-dep-'));
  const results = await ensureDeps(
    [
      { name: 'alpha', version: '0.1.0', source: 'local', entry: 'demo/alpha/main.ts' },
      { name: 'beta', version: '0.1.0', source: 'local', entry: 'demo/beta/main.ts' },
    ],
    { projectDir: PROJECT_DIR, depDir },
  );
  const path = (name: string): string => results.find((r) => r.name === name)?.path ?? '';
  return { alpha: path('alpha'), beta: path('beta'), depDir };
}

/** Removes a temp directory. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A port that was free a moment ago (bound on 0, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** A running demo process and its collected output. */
export interface DemoProcess {
  child: ChildProcess;
  pid: number;
  stdout: string[];
  stderr: string[];
  /** Resolves with the first stdout/stderr line matching `re` (past lines included). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns a demo binary in its own process group; the group is SIGKILLed after the test. */
export function startDemo(t: TestContext, bin: string, args: string[], env: Record<string, string> = {}): DemoProcess {
  const child = spawn(bin, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`spawn ${bin} failed`);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<(line: string) => void>();
  const collect = (into: string[]) => {
    let rest = '';
    return (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        into.push(line);
        for (const w of waiters) w(line);
      }
    };
  };
  child.stdout?.on('data', collect(stdout));
  child.stderr?.on('data', collect(stderr));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  t.after(() => killGroup(pid));

  const waitForLine = (re: RegExp, timeoutMs = 15_000): Promise<string> => {
    const seen = [...stdout, ...stderr].find((l) => re.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        waiters.delete(onLine);
        fn();
      };
      const onLine = (line: string) => {
        if (re.test(line)) done(() => resolve(line));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no line matching ${re} within ${timeoutMs}ms\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`))), timeoutMs);
      waiters.add(onLine);
      void exited.then(({ code, signal }) =>
        done(() => reject(new Error(`process exited (code ${code}, signal ${signal}) before a line matched ${re}\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`))),
      );
    });
  };
  return { child, pid, stdout, stderr, waitForLine, exited };
}

/** Starts a demo server and waits for its "listening" line. */
export async function startServer(t: TestContext, bin: string, args: string[], env: Record<string, string> = {}): Promise<DemoProcess> {
  const proc = startDemo(t, bin, args, env);
  await proc.waitForLine(/ listening on http:\/\//);
  return proc;
}

/** SIGKILLs a whole process group; a group that is already gone is fine. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** True while `pid` exists and is not a zombie (Linux /proc). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the parenthesised command name: state, ppid, pgrp, ...
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state !== undefined && state !== 'Z' && state !== '';
}

/** The process group of `pid` (Linux /proc). */
export async function processGroup(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** Polls `check` until it is true; only for conditions that have no event to wait on. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** GET a URL; returns status, content type and body text. */
export async function get(url: string, init?: RequestInit): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}
