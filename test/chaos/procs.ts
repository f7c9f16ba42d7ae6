// What the kernel says, independently of Nestor's events: which live processes are children of
// this test process (the orchestrator runs in-process under the harness) and which service each
// one runs, read from NESTOR_SERVICE in /proc/<pid>/environ.
import { readFileSync, readdirSync } from 'node:fs';

interface Stat {
  state: string;
  ppid: number;
}

function readStat(pid: number | string): Stat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/** True when `pid` is alive (not a zombie) and a child of `parent`: a pid reused by someone else never counts. */
export function isLiveChild(pid: number, parent = process.pid): boolean {
  const st = readStat(pid);
  return st !== null && st.state !== 'Z' && st.ppid === parent;
}

/** NESTOR_SERVICE of a process, or null (not ours, gone, or still between fork and exec). */
export function serviceOf(pid: number | string): string | null {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const entry = env.find((e) => e.startsWith('NESTOR_SERVICE='));
    return entry === undefined ? null : entry.slice('NESTOR_SERVICE='.length);
  } catch {
    return null;
  }
}

/** Live children of `parent` that run a service, grouped by service id. */
export function liveServiceChildren(parent = process.pid): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const st = readStat(entry);
    if (st === null || st.state === 'Z' || st.ppid !== parent) continue;
    const service = serviceOf(entry);
    if (service === null) continue;
    out.set(service, [...(out.get(service) ?? []), Number(entry)]);
  }
  return out;
}

/** Sends SIGKILL to a live child of this process; false when it was already gone (or not ours). */
export function killChild(pid: number): boolean {
  if (!isLiveChild(pid)) return false;
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
