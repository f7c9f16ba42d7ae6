// Broker statistics from the monitoring endpoint (/varz and /jsz), for metrics and `nestor info`.
// Only the fields Nestor reports are typed; missing ones read as 0 so an older or newer server
// does not break a metrics scrape.
import { monitorJson as getJson } from './monitor-get.ts';

/** A snapshot of the broker's counters. */
export interface BrokerStats {
  serverName: string;
  version: string;
  uptime: string;
  connections: number;
  routes: number;
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
  slowConsumers: number;
  /** Resident memory of the server process in bytes. */
  mem: number;
  jetstream: {
    streams: number;
    consumers: number;
    messages: number;
    bytes: number;
    memory: number;
    storage: number;
    apiTotal: number;
    apiErrors: number;
  };
}

/** Reads /varz and /jsz from a monitoring URL (`http://host:port`). */
export async function brokerStats(monitorUrl: string, timeoutMs = 2_000): Promise<BrokerStats> {
  const [varz, jsz] = await Promise.all([getJson(`${monitorUrl}/varz`, timeoutMs), getJson(`${monitorUrl}/jsz`, timeoutMs)]);
  const api = (jsz.api ?? {}) as Record<string, unknown>;
  return {
    serverName: str(varz.server_name),
    version: str(varz.version),
    uptime: str(varz.uptime),
    connections: num(varz.connections),
    routes: num(varz.routes),
    inMsgs: num(varz.in_msgs),
    outMsgs: num(varz.out_msgs),
    inBytes: num(varz.in_bytes),
    outBytes: num(varz.out_bytes),
    slowConsumers: num(varz.slow_consumers),
    mem: num(varz.mem),
    jetstream: {
      streams: num(jsz.streams),
      consumers: num(jsz.consumers),
      messages: num(jsz.messages),
      bytes: num(jsz.bytes),
      memory: num(jsz.memory),
      storage: num(jsz.storage),
      apiTotal: num(api.total),
      apiErrors: num(api.errors),
    },
  };
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
