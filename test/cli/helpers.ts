// Shared by the CLI tests: the demo services (alpha, beta) as the project file includes them,
// but on random ports so a test never collides with a developer's `nestor up` on 7101/7102.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';
import { captureTerminal } from '../../src/cli/terminal.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';

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
