// Shared by the CLI tests: the demo services (alpha, beta) as the project file includes them,
// but on random ports so a test never collides with a developer's `nestor up` on 7101/7102.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readRuntimeInfo } from '../../src/config/index.ts';
import { isProcessAlive } from '../../src/process/index.ts';
import { main } from '../../src/cli/main.ts';
import { captureTerminal } from '../../src/cli/terminal.ts';
import { createHarness, runCli } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';

const exec = promisify(execFile);

/** The repository root. */
export const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** Fixtures of these tests. */
export const FIXTURES = join(PROJECT_DIR, 'test/fixtures/cli');

/** A demo's service.json with its port made random (the spread is what `include:` does). */
export async function demoSpec(name: 'alpha' | 'beta', overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const spec = JSON.parse(await readFile(join(PROJECT_DIR, 'demo', name, 'service.json'), 'utf8')) as Record<string, unknown>;
  const { id: _id, ...rest } = spec;
  return { ...rest, portStrategy: 'random', ports: { primary: { protocol: 'http' } }, ...overrides };
}

/** A harness running alpha and beta (built into .dep when stale), both ready. */
export async function demoStack(name: string): Promise<Harness> {
  const h = await createHarness({ name, specs: { alpha: await demoSpec('alpha'), beta: await demoSpec('beta') } });
  try {
    await h.waitForState('alpha', 'ready', { timeoutMs: 30_000 });
    await h.waitForState('beta', 'ready', { timeoutMs: 30_000 });
    return h;
  } catch (err) {
    await h.close();
    throw err;
  }
}

/** A CLI error must be one clear message, never a stack trace. */
export const STACK_TRACE = /^\s+at .+\(.+:\d+:\d+\)$/m;

/** What an in-process run of the CLI printed. */
export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
  json<T = unknown>(): T;
  jsonLines<T = unknown>(): T[];
}

/**
 * Runs the CLI's main() in this process with a captured terminal: the same program as
 * bin/nestor.js, minus the process start, for the many checks that need no separate process.
 */
export async function runMain(args: string[], ctx: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<MainResult> {
  const term = captureTerminal();
  const code = await main(['node', 'nestor', ...args], term, { cwd: ctx.cwd, env: ctx.env ?? {} });
  const text = (lines: string[]): string => lines.map((l) => `${l}\n`).join('');
  const stdout = text(term.stdout);
  return {
    code,
    stdout,
    stderr: text(term.stderr),
    json: <T>() => JSON.parse(stdout) as T,
    jsonLines: <T>() => term.stdout.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T),
  };
}

/** A project folder with this nestor.yaml, removed after the test; a stack a failed test left running is stopped first. */
export async function tempProject(t: TestContext, yaml: string, prefix = 'nestor-up-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(async () => {
    const info = await readRuntimeInfo(join(dir, '.data')).catch(() => null);
    if (info !== null && (await isProcessAlive(info.pid))) await runCli(['down', '--force', '--timeout', '10s'], { cwd: dir });
    await rm(dir, { recursive: true, force: true });
  });
  await writeFile(join(dir, 'nestor.yaml'), yaml);
  return dir;
}

/**
 * Copies the tracked and new (not ignored) files of this checkout, as a clone of the next commit
 * would hold them (limited to `paths` when given), into `dest`, with node_modules linked.
 */
export async function copyCheckout(dest: string, paths: string[] = []): Promise<string> {
  const { stdout } = await exec('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', ...paths], {
    cwd: PROJECT_DIR,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(PROJECT_DIR, file))) continue; // deleted in the working tree
    await mkdir(dirname(join(dest, file)), { recursive: true });
    await copyFile(join(PROJECT_DIR, file), join(dest, file));
  }
  await symlink(join(PROJECT_DIR, 'node_modules'), join(dest, 'node_modules'));
  return dest;
}
