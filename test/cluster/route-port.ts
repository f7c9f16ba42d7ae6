// Ports for servers that other servers dial. A port the kernel hands out (bind to 0) comes from
// the ephemeral range, which is also where outgoing connections get their local ports: between
// allocating a cluster port and the server binding it, a route being dialled elsewhere (or
// any other client on the machine) can take it, and the node then fails to start. Ports below
// the ephemeral range are never handed to outgoing connections.
import { readFileSync } from 'node:fs';
import { isPortFree } from '../../src/process/index.ts';

const FLOOR = 10_000;

function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
}

/** A free port below the ephemeral range, for a cluster (route) listener. */
export async function allocateRoutePort(host = '127.0.0.1'): Promise<number> {
  const high = Math.max(FLOOR + 1_000, ephemeralLow());
  for (let i = 0; i < 200; i++) {
    const port = FLOOR + Math.floor(Math.random() * (high - FLOOR));
    if (await isPortFree(port, host)) return port;
  }
  throw new Error(`no free port between ${FLOOR} and ${high}`);
}
