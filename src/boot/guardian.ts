// Launches the guardian (guardian.sh) beside a node, and reads what it did after a crash.
// Why a separate process: nothing inside the orchestrator runs after a SIGKILL, and Node has
// no parent-death signal for children; a pipe closing is the one thing that always happens.
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { serverPaths } from '../bus/index.ts';
import { PidRegistry } from '../controller/index.ts';

/** What a guardian stopped after its orchestrator died. */
export interface CrashReport {
  at: string;
  stopped: { service: string; pid: number }[];
  nats: number | null;
}

/** A running guardian; release() tells it the shutdown was clean. */
export interface Guardian {
  pid: number;
  release(): void;
}

/** Where a guardian leaves its report in a data dir. */
export function crashReportPath(dataDir: string): string {
  return join(dataDir, 'crash-report.json');
}

/** Starts the guardian of a data dir's processes. */
export function startGuardian(dataDir: string): Guardian {
  const script = join(import.meta.dirname, 'guardian.sh');
  // A shell, not a second Node process: it only waits on a pipe, and Node would idle at ~40 MB.
  const child = spawn('/bin/sh', [script, PidRegistry.pathIn(dataDir), serverPaths(dataDir).pidFile, crashReportPath(dataDir)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // Neither the child nor its pipe may keep the orchestrator's event loop alive.
  child.unref();
  const stdin = child.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.unref?.();
  stdin?.on('error', () => {});
  let released = false;
  return {
    pid: child.pid ?? 0,
    release() {
      if (released) return;
      released = true;
      stdin?.end('clean\n');
    },
  };
}

/** The report a guardian left after the previous run crashed (consumed: read once), or null. */
export async function takeCrashReport(dataDir: string): Promise<CrashReport | null> {
  const file = crashReportPath(dataDir);
  try {
    const report = JSON.parse(await readFile(file, 'utf8')) as CrashReport;
    await rm(file, { force: true });
    return report;
  } catch {
    return null;
  }
}
