// Shared helpers of the process tests: fixture paths, plans, temp dirs and line waiters.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { LineSplitter, isGroupAlive, killGroup } from '../../src/process/index.ts';
import type { OutputStream, RunPlan, ServiceProcess } from '../../src/process/index.ts';
import type { ProbeSpec } from '../../src/spec/index.ts';

/** Absolute path of a fixture script under test/fixtures/procs. */
export function fixture(name: string): string {
  return join(import.meta.dirname, '..', 'fixtures', 'procs', name);
}

/** A temporary directory removed after the test. */
export async function tempDir(t: TestContext, prefix = 'nestor-process-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A RunPlan running node with the given arguments. */
export function nodePlan(args: string[], overrides: Partial<RunPlan> = {}): RunPlan {
  return {
    service: 'svc',
    command: process.execPath,
    args,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    cwd: process.cwd(),
    shell: false,
    ensure: [],
    allowedRoots: [],
    ports: {},
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 2000,
    logs: { dir: tmpdir(), maxBytes: 1024 * 1024, keep: 2, metadataIntervalMs: 1000 },
    ...overrides,
  };
}

/** Collects output lines of a process and resolves waits on them as they arrive. */
export class LineWaiter {
  readonly lines: { stream: OutputStream; line: string }[] = [];
  private readonly splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  private waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  /** Feed from SpawnHooks.onOutput. */
  readonly onOutput = (stream: OutputStream, chunk: Buffer): void => {
    for (const line of this.splitters[stream].push(chunk)) {
      this.lines.push({ stream, line });
      this.waiters = this.waiters.filter((w) => (w.match(line) ? (w.resolve(line), false) : true));
    }
  };

  /** Resolves with the first line (already seen or future) that matches. */
  waitFor(match: (line: string) => boolean): Promise<string> {
    const seen = this.lines.find((l) => match(l.line));
    if (seen) return Promise.resolve(seen.line);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }
}

/** Kills whatever remains of the process's group after the test, even when an assertion failed. */
export function cleanupGroup(t: TestContext, proc: ServiceProcess): void {
  t.after(() => {
    if (isGroupAlive(proc.pgid)) killGroup(proc.pgid, 'SIGKILL');
  });
}

/** A probe spec with quick defaults for tests. */
export function probe(overrides: Partial<ProbeSpec>): ProbeSpec {
  return {
    type: 'http',
    expectedStatus: [200],
    intervalMs: 10,
    timeoutMs: 1000,
    initialDelayMs: 0,
    failureThreshold: 3,
    ...overrides,
  };
}

/** Polls a condition where no event exists (the /proc table); fails with a message after timeoutMs. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
