// CPU time and resident memory of a service's whole process group, read from Linux /proc, for
// the per-service metrics and the memory limit. A process that vanishes between listing and reading counts as 0.
import { readFileSync } from 'node:fs';
import { listGroupPids, listGroupsPids } from './proc-table.ts';

/** Resource use of one process group. */
export interface GroupUsage {
  /** User + system CPU seconds of the live processes, including children they have reaped. */
  cpuSeconds: number;
  /** Resident set size in bytes, summed over the group. */
  rssBytes: number;
  processes: number;
}

// USER_HZ: the unit of the /proc/<pid>/stat times; 100 on every Linux architecture Node runs on.
const TICKS_PER_SECOND = 100;

/** Sums CPU time and RSS over the process group led by `pgid`. */
export function groupUsage(pgid: number): GroupUsage {
  return usageOf(listGroupPids(pgid));
}

/** groupUsage for several groups, from one read of /proc (the memory limit samples them together). */
export function groupsUsage(pgids: ReadonlySet<number>): Map<number, GroupUsage> {
  return new Map([...listGroupsPids(pgids)].map(([pgid, pids]) => [pgid, usageOf(pids)]));
}

function usageOf(pids: number[]): GroupUsage {
  let ticks = 0;
  let rssBytes = 0;
  let processes = 0;
  for (const pid of pids) {
    const t = cpuTicks(pid);
    if (t === null) continue;
    ticks += t;
    rssBytes += rss(pid);
    processes++;
  }
  return { cpuSeconds: ticks / TICKS_PER_SECOND, rssBytes, processes };
}

function cpuTicks(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the parenthesised command name start at field 3 (state); utime is field 14.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(rest[i]));
  const sum = (utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0);
  return Number.isFinite(sum) ? sum : null;
}

function rss(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] === undefined ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}
