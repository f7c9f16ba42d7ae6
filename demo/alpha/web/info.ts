// The facts /api/info and the page share.
import type { DemoContext } from '../runtime/index.ts';
import { pendingGates, uptimeSeconds } from '../runtime/index.ts';
import type { PageRow } from './page.ts';

/** The JSON body of /api/info common to all demos. */
export interface DemoInfo {
  name: string;
  version: string;
  pid: number;
  port: number;
  uptimeSeconds: number;
  requests: number;
  startedAt: string;
  ready: boolean;
  waitingFor: string[];
  service: string | null;
  node: string | null;
  message: string | null;
  sleeperPid: number | null;
}

/** Builds the common info object. */
export function demoInfo(ctx: DemoContext): DemoInfo {
  const waitingFor = pendingGates(ctx);
  return {
    name: ctx.name,
    version: ctx.version,
    pid: ctx.pid,
    port: ctx.port,
    uptimeSeconds: Math.round(uptimeSeconds(ctx) * 1000) / 1000,
    requests: ctx.stats.total,
    startedAt: new Date(ctx.startedAtMs).toISOString(),
    ready: waitingFor.length === 0,
    waitingFor,
    service: ctx.env.service ?? null,
    node: ctx.env.node ?? null,
    message: ctx.options.message ?? null,
    sleeperPid: ctx.sleeperPid ?? null,
  };
}

/** The same facts as page rows. */
export function infoRows(info: DemoInfo): PageRow[] {
  const rows: PageRow[] = [
    ['name', info.name],
    ['pid', info.pid],
    ['port', info.port],
    ['uptime', `${info.uptimeSeconds.toFixed(1)} s`],
    ['requests', info.requests],
    ['ready', info.ready ? 'yes' : `no (${info.waitingFor.join(', ')})`],
    ['NESTOR_SERVICE', info.service ?? '(not set)'],
    ['NESTOR_NODE', info.node ?? '(not set)'],
  ];
  if (info.message !== null) rows.push(['message', info.message]);
  return rows;
}
