// The test behaviours behind the demo flags. Each one provokes a lifecycle path of the runner.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';

/** Prints `count` numbered lines at once (--log-lines). */
export function printLogLines(name: string, count: number): void {
  for (let i = 1; i <= count; i++) console.log(`${name} log line ${i} of ${count}`);
}

/** Prints a line every 10 ms until the returned function is called (--chatty). */
export function startChatter(name: string): () => void {
  let tick = 0;
  const timer = setInterval(() => console.log(`${name} chatty tick ${++tick}`), 10);
  return () => clearInterval(timer);
}

/** Exits with `code` after `ms` (--crash-after). */
export function scheduleCrash(name: string, ms: number, code: number): void {
  setTimeout(() => {
    console.error(`${name}: crashing after ${ms}ms as asked (--crash-after), exit ${code}`);
    process.exit(code);
  }, ms);
}

/** The one-shot job: a short hash chain, so there is real work to report. */
export function oneshotWork(name: string): { digest: string; rounds: number } {
  const rounds = 10_000;
  let digest = name;
  for (let i = 0; i < rounds; i++) digest = createHash('sha256').update(digest).digest('hex');
  return { digest, rounds };
}

// The sleeper ignores SIGTERM too, so only a SIGKILL to the whole group ends it. It says
// "ready" once its handler is installed: a group SIGTERM sent before that would kill it.
// If its parent dies without the group being killed it exits on its own within about 30 s,
// so a failed test does not leave it behind forever.
const SLEEPER = [
  "process.on('SIGTERM', () => {});",
  "process.stdout.write('ready\\n');",
  'const parent = process.ppid;',
  'setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 30000);',
].join(' ');

/** Starts a grandchild that stays in this process group (--ignore-sigterm); resolves with its pid once it ignores SIGTERM. */
export function spawnSleeper(): Promise<number> {
  const child = spawn(process.execPath, ['-e', SLEEPER], { stdio: ['ignore', 'pipe', 'ignore'] });
  child.unref();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`sleeper exited early (code ${code}, signal ${signal})`)));
    child.stdout.once('data', () => {
      child.removeAllListeners('exit');
      child.stdout.destroy();
      resolve(child.pid as number);
    });
  });
}
