// Running `nestor up` as a real child process in a throwaway project, for the tests that kill it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupMembers } from '../supervision/support.ts';

const root = join(import.meta.dirname, '..', '..');
/** The built demo binary (tests build it with ensureDeps first). */
export const alphaBin = join(root, '.dep', 'bin', 'alpha');

/**
 * A temporary project with `count` alpha services on random ports. `remove()` first waits for
 * every process group recorded in its data dir to be gone (the guardian of a killed `up` needs
 * pids.json to stop them), so a failing test leaves nothing behind.
 */
export async function tempProject(count = 2): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-project-'));
  const services = Array.from({ length: count }, (_, i) =>
    [
      `  alpha${i}:`,
      `    process: { command: ${JSON.stringify(alphaBin)}, args: ["--port", "{ports.primary}"] }`,
      '    portStrategy: random',
      '    ports: { primary: { port: 0, protocol: http } }',
      '    health: { type: http, endpoint: /health, interval: 100ms }',
    ].join('\n'),
  );
  await writeFile(join(dir, 'nestor.yaml'), `services:\n${services.join('\n')}\n`);
  const remove = async (): Promise<void> => {
    await waitRecordedGone(dir, 15_000);
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, remove };
}

async function waitRecordedGone(dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let pids: number[] = [];
    try {
      pids = Object.values(JSON.parse(await readFile(join(dir, '.data', 'pids.json'), 'utf8')) as Record<string, { pid: number }>).map((r) => r.pid);
    } catch {
      return;
    }
    // Live members only: zombies whose parent died are never reaped on this machine.
    const alive = pids.filter((pid) => groupMembers(pid).length > 0);
    if (alive.length === 0) return;
    if (Date.now() > deadline) {
      for (const pid of alive) process.kill(-pid, 'SIGKILL');
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A `nestor up` child whose stderr lines are collected and awaited. */
export interface UpProcess {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first stderr line matching `re` (already seen or later). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

/** Starts `nestor up` in `dir` (own process group, so a test can kill it alone). */
export function startUp(dir: string, args: string[] = []): UpProcess {
  const child = spawn(process.execPath, [join(root, 'bin', 'nestor.js'), 'up', ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve(line: string): void }[] = [];
  let buf = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.re.test(line)) w.resolve(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitForLine(re, timeoutMs = 30_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; stderr:\n${lines.join('\n')}`)), timeoutMs);
        waiters.push({
          re,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}
