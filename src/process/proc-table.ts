// Reads the Linux process table under /proc. Everything here tolerates processes vanishing
// between listing and reading: a missing entry is "not there", never an error.
import { readFileSync, readdirSync } from 'node:fs';
import { readdir, readlink, readFile } from 'node:fs/promises';

/** The fields of /proc/<pid>/stat the runner needs. */
export interface ProcStat {
  pid: number;
  comm: string;
  /** One-letter state; 'Z' is a zombie (exited, not yet reaped). */
  state: string;
  ppid: number;
  pgid: number;
  /** Start time in clock ticks since boot: with the pid, it identifies one process across pid reuse. */
  startTime: number;
}

/** Parses /proc/<pid>/stat, or returns null when the process does not exist. */
export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  return parseStat(pid, text);
}

function parseStat(pid: number, text: string): ProcStat | null {
  // comm may contain spaces and parentheses, so split after the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).split(' ');
  const state = rest[0];
  const ppid = Number(rest[1]);
  const pgid = Number(rest[2]);
  const startTime = Number(rest[19]);
  if (state === undefined || !Number.isFinite(ppid) || !Number.isFinite(pgid) || !Number.isFinite(startTime)) return null;
  return { pid, comm: text.slice(open + 1, close), state, ppid, pgid, startTime };
}

/** Start time of a process in clock ticks since boot, or null when it does not exist. */
export function processStartTime(pid: number): number | null {
  return readProcStat(pid)?.startTime ?? null;
}

function numericEntries(names: string[]): number[] {
  const pids: number[] = [];
  for (const name of names) {
    const n = Number(name);
    if (Number.isInteger(n) && n > 0) pids.push(n);
  }
  return pids;
}

/** Every process of a group, by reading /proc. Zombies are left out unless asked for. */
export function listGroupPids(pgid: number, options: { includeZombies?: boolean } = {}): number[] {
  const out: number[] = [];
  for (const pid of numericEntries(readdirSync('/proc'))) {
    const st = readProcStat(pid);
    if (st === null || st.pgid !== pgid) continue;
    if (st.state === 'Z' && options.includeZombies !== true) continue;
    out.push(pid);
  }
  return out.sort((a, b) => a - b);
}

/** The live (non-zombie) processes of several groups, from one read of /proc. */
export function listGroupsPids(pgids: ReadonlySet<number>): Map<number, number[]> {
  const out = new Map<number, number[]>([...pgids].map((g) => [g, []]));
  if (pgids.size === 0) return out;
  for (const pid of numericEntries(readdirSync('/proc'))) {
    const st = readProcStat(pid);
    if (st === null || st.state === 'Z') continue;
    out.get(st.pgid)?.push(pid);
  }
  return out;
}

let lastScan: { at: number; groups: Set<number> } | null = null;

/**
 * The groups with at least one live (non-zombie) process, from one scan of /proc started at or
 * after `notBefore` and at most `maxAgeMs` ago (performance.now() times). Waiters polling at the
 * same pace share one scan: stopping 500 services at once otherwise read all of /proc 500 times
 * per poll, which saturated the event loop for tens of seconds.
 */
export function liveGroupsSince(notBefore: number, maxAgeMs: number): Set<number> {
  const now = performance.now();
  if (lastScan !== null && lastScan.at >= notBefore && now - lastScan.at <= maxAgeMs) return lastScan.groups;
  const groups = new Set<number>();
  for (const pid of numericEntries(readdirSync('/proc'))) {
    const st = readProcStat(pid);
    if (st !== null && st.state !== 'Z') groups.add(st.pgid);
  }
  lastScan = { at: now, groups };
  return groups;
}

/** The process group of this Node process, so group kills can refuse to hit it. */
export function ownProcessGroup(): number {
  return readProcStat(process.pid)?.pgid ?? process.pid;
}

/** The argv of a process, [] for a kernel thread or a zombie (empty cmdline), or null when it is gone. */
export async function processArgv(pid: number): Promise<string[] | null> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((a) => a !== '');
  } catch {
    return null;
  }
}

/** The command line of a process (argv joined by spaces), its `[comm]` when argv is empty, or null. */
export async function processCommand(pid: number): Promise<string | null> {
  const argv = await processArgv(pid);
  if (argv === null) return null;
  if (argv.length > 0) return argv.join(' ');
  const st = readProcStat(pid);
  return st === null ? null : `[${st.comm}]`;
}

const TCP_LISTEN = '0A';

/** Inodes of LISTEN sockets bound to a local TCP port, on any address, IPv4 or IPv6. */
export async function listeningSocketInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue; // tcp6 is absent when IPv6 is disabled
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const inode = cols[9];
      if (local === undefined || inode === undefined || cols[3] !== TCP_LISTEN) continue;
      const hexPort = local.slice(local.lastIndexOf(':') + 1);
      if (parseInt(hexPort, 16) === port && inode !== '0') inodes.add(inode);
    }
  }
  return inodes;
}

/**
 * Pids holding any of the given socket inodes open, found through the /proc/<pid>/fd symlinks.
 * Processes of other users are unreadable without privileges and are silently skipped.
 */
export async function pidsHoldingSockets(inodes: Set<string>): Promise<number[]> {
  if (inodes.size === 0) return [];
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  const holders: number[] = [];
  for (const pid of numericEntries(await readdir('/proc'))) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = await readlink(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (wanted.has(target)) {
        holders.push(pid);
        break;
      }
    }
  }
  return holders.sort((a, b) => a - b);
}
