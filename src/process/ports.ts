// Port handling for services: allocate a free port, check a fixed one, find who holds it, and
// reclaim it from a process left behind by an earlier run of this project.
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { PortReclaimError, errnoCode } from './errors.ts';
import { stopGroup } from './groups.ts';
import { listeningSocketInodes, pidsHoldingSockets, processCommand, readProcStat } from './proc-table.ts';

const POLL_MS = 20;

/** How long a port handed out stays reserved: from allocation to the service binding it. */
const RESERVED_MS = 60_000;
/** Ports handed out lately, with the time (ms) each was given. */
const handedOut = new Map<number, number>();

/**
 * Asks the OS for a free port by binding port 0, then releases it. The OS picks ephemeral ports
 * at random, so among 500 services started together a few got a port another had just been
 * given (and died on EADDRINUSE); a port handed out in the last minute is asked for again.
 */
export async function allocatePort(host = '127.0.0.1'): Promise<number> {
  const now = Date.now();
  for (const [port, at] of handedOut) if (now - at > RESERVED_MS) handedOut.delete(port);
  for (let tries = 0; ; tries++) {
    const port = await askPort(host);
    // Bounded, in case the OS has nothing else to give: a duplicate beats no port.
    if (!handedOut.has(port) || tries >= 20) {
      handedOut.set(port, Date.now());
      return port;
    }
  }
}

function askPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`no port allocated on ${host}`))));
    });
  });
}

/** Whether a listener could bind host:port right now (a test bind, released at once). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err) => {
      const code = errnoCode(err);
      if (code === 'EADDRINUSE' || code === 'EACCES') resolve(false);
      else reject(err);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Whether a listener could bind the port on every local address: a test bind on the IPv6
 * wildcard (dual-stack, so it covers IPv4 too), or on 0.0.0.0 where IPv6 is off. False also
 * when the answer is unclear; callers then look closer.
 */
async function isPortFreeEverywhere(port: number): Promise<boolean> {
  for (const host of ['::', '0.0.0.0']) {
    try {
      return await isPortFree(port, host);
    } catch {
      // No IPv6 on this machine (EAFNOSUPPORT, EADDRNOTAVAIL): try the IPv4 wildcard.
    }
  }
  return false;
}

/** A process holding a listening socket. */
export interface PortOwner {
  pid: number;
  /** Its command line, or null when unreadable. */
  command: string | null;
}

/**
 * Every pid holding a LISTEN socket on this TCP port (any local address). Forked children share
 * their parent's socket, so several pids may hold one port. Sockets of other users' processes
 * cannot be attributed without privileges and are left out.
 */
export async function findPortHolders(port: number): Promise<number[]> {
  return pidsHoldingSockets(await listeningSocketInodes(port));
}

/** The process listening on a TCP port (lowest pid when several share it), or null when none can be found. */
export async function findPortOwner(port: number): Promise<PortOwner | null> {
  const [pid] = await findPortHolders(port);
  if (pid === undefined) return null;
  return { pid, command: await processCommand(pid) };
}

/** Result of checking a fixed port before a start. */
export type FixedPortStatus =
  | { status: 'free' }
  /** Held by a process of this project's earlier run (pid is the holder, pgid its group). */
  | { status: 'stale'; pid: number; pgid: number }
  | { status: 'conflict'; ownerPid: number | null; ownerCommand: string | null };

/** Options of checkFixedPort. */
export interface FixedPortOptions {
  /** Pids (service leaders) recorded by this project's earlier runs. */
  knownPids: readonly number[];
  /** Address the service binds (default 127.0.0.1). */
  host?: string;
}

/**
 * Classifies a fixed port: free, held by a leftover of our own earlier run (its pid, or a
 * descendant in that pid's process group), or held by someone else. A listener on any local
 * address counts as taken, since the service may bind a wider address than the check.
 */
export async function checkFixedPort(port: number, options: FixedPortOptions): Promise<FixedPortStatus> {
  // Reading /proc/net/tcp takes milliseconds (tens on a busy machine) and sits on the path of
  // every restart, while a test bind takes microseconds: when the port binds on the wildcard
  // address, which any listener on any local address would prevent, there are no holders to find.
  if (await isPortFreeEverywhere(port)) return { status: 'free' };
  const holders = await findPortHolders(port);
  if (holders.length === 0) {
    if (await isPortFree(port, options.host)) return { status: 'free' };
    return { status: 'conflict', ownerPid: null, ownerCommand: null };
  }
  const known = new Set(options.knownPids);
  for (const pid of holders) {
    const pgid = readProcStat(pid)?.pgid;
    if (pgid === undefined) continue;
    if (known.has(pid) || known.has(pgid)) return { status: 'stale', pid, pgid };
  }
  const ownerPid = holders[0] ?? null;
  return { status: 'conflict', ownerPid, ownerCommand: ownerPid === null ? null : await processCommand(ownerPid) };
}

/** Options of reclaimPort. */
export interface ReclaimOptions {
  port: number;
  timeoutMs: number;
  host?: string;
  /** Signal sent first; SIGKILL follows after timeoutMs (default SIGTERM). */
  signal?: NodeJS.Signals;
}

/**
 * Stops the process group of pid (signal, then SIGKILL after timeoutMs) and waits until the port
 * is free. Throws PortReclaimError when the port stays taken (another process grabbed it).
 */
export async function reclaimPort(pid: number, options: ReclaimOptions): Promise<{ killed: boolean }> {
  const st = readProcStat(pid);
  let killed = false;
  if (st !== null) ({ killed } = await stopGroup(st.pgid, options.signal ?? 'SIGTERM', options.timeoutMs));
  // The socket closes when its last holder dies, which the group wait covers; a short grace
  // still helps when the kernel finishes tearing the socket down just after.
  const deadline = performance.now() + Math.max(options.timeoutMs, 1000);
  for (;;) {
    if ((await findPortHolders(options.port)).length === 0 && (await isPortFree(options.port, options.host))) return { killed };
    if (performance.now() > deadline) {
      const owner = await findPortOwner(options.port);
      throw new PortReclaimError(options.port, pid, owner ? `still held by pid ${owner.pid} (${owner.command ?? '?'})` : 'still in use');
    }
    await sleep(POLL_MS);
  }
}
