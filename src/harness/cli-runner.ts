// Runs the real `nestor` executable (bin/nestor.js) as a child process, the way a user or a
// script does: real argument parsing, real exit codes, the instance found through NESTOR_URL or
// the project folder. Only a small, explicit environment passes through, so a developer's own
// NESTOR_* settings cannot change what a test sees.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The nestor executable of this package. */
export const NESTOR_BIN = fileURLToPath(new URL('../../bin/nestor.js', import.meta.url));

/** Options of runCli / startCli. */
export interface CliRunOptions {
  /** Working directory (the project folder). */
  cwd?: string;
  /** Variables added to the minimal environment (PATH, HOME, TMPDIR, NESTOR_NATS_SERVER, NO_COLOR=1). */
  env?: Record<string, string | undefined>;
  /** Kill the process and reject after this long; 60 s by default. */
  timeoutMs?: number;
  /** Each stdout line as it arrives (for follow modes). */
  onStdout?(line: string): void;
}

/** How a CLI run ended and what it printed. */
export interface CliResult {
  args: string[];
  /** Exit code; 128 + n when a signal ended it. */
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as one JSON document; throws with the output when it is not. */
  json<T = unknown>(): T;
  /** stdout as JSON lines (one object per line). */
  jsonLines<T = unknown>(): T[];
}

/** A CLI process still running (watch, events --follow, logs -f). */
export interface CliSession {
  readonly pid: number;
  /** stdout lines so far. */
  lines(): readonly string[];
  /** Resolves with the first stdout line (already printed or later) that matches. */
  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Sends SIGINT (Ctrl-C) and resolves with the result. */
  interrupt(): Promise<CliResult>;
  /** Resolves when the process ends by itself. */
  readonly result: Promise<CliResult>;
}

const SIGNALS: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Runs `nestor <args>` to completion. */
export function runCli(args: string[], opts: CliRunOptions = {}): Promise<CliResult> {
  return startCli(args, opts).result;
}

/** Starts `nestor <args>` and returns while it runs. */
export function startCli(args: string[], opts: CliRunOptions = {}): CliSession {
  const child = spawn(process.execPath, [NESTOR_BIN, ...args], { cwd: opts.cwd ?? process.cwd(), env: baseEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${NESTOR_BIN}`);
  const out: string[] = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  const waiters = new Set<(line: string) => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      out.push(line);
      opts.onStdout?.(line);
      for (const w of [...waiters]) w(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const res = makeResult(args, code ?? 128 + (SIGNALS[signal ?? ''] ?? 0), stdout, stderr);
      if (timedOut) reject(new Error(`nestor ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      else resolve(res);
    });
  });
  return {
    pid: child.pid,
    lines: () => out,
    waitForLine(match, waitMs = 15_000) {
      const test = typeof match === 'function' ? match : (line: string) => match.test(line);
      const found = out.find(test);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise<string>((resolve, reject) => {
        const done = (fn: () => void): void => {
          clearTimeout(t);
          waiters.delete(waiter);
          fn();
        };
        const waiter = (line: string): void => {
          if (test(line)) done(() => resolve(line));
        };
        const t = setTimeout(
          () => done(() => reject(new Error(`no stdout line of nestor ${args.join(' ')} matched ${String(match)} within ${waitMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`))),
          waitMs,
        );
        waiters.add(waiter);
        void result.then(
          () => done(() => reject(new Error(`nestor ${args.join(' ')} exited before printing a line matching ${String(match)}\nstdout:\n${stdout}\nstderr:\n${stderr}`))),
          () => {},
        );
      });
    },
    interrupt() {
      child.kill('SIGINT');
      return result;
    },
    result,
  };
}

function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'NESTOR_NATS_SERVER']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function makeResult(args: string[], code: number, stdout: string, stderr: string): CliResult {
  const fail = (what: string, err: unknown): Error =>
    new Error(`stdout of nestor ${args.join(' ')} is not ${what}: ${(err as Error).message}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  return {
    args,
    code,
    stdout,
    stderr,
    json<T>(): T {
      try {
        return JSON.parse(stdout) as T;
      } catch (err) {
        throw fail('one JSON document', err);
      }
    },
    jsonLines<T>(): T[] {
      try {
        return stdout
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as T);
      } catch (err) {
        throw fail('JSON lines', err);
      }
    },
  };
}
