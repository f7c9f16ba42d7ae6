// `nestor info [--json]`: how to reach the running instance (its node, `nestor up` pid, bus and
// API URLs, data dir), for people and for scripts that need the bus or the API.
import { connectInstance } from './connect.ts';
import type { CliContext } from './context.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor info`. */
export interface InfoFlags {
  file?: string;
  json?: boolean;
}

/** Prints the running instance's coordinates. */
export async function runInfo(flags: InfoFlags, ctx: CliContext, term: Terminal): Promise<number> {
  await using conn = await connectInstance(ctx, flags.file);
  const { info, config } = conn;
  const doc = {
    node: info.node,
    pid: info.pid,
    nats: info.nats,
    api: info.api,
    dataDir: info.dataDir,
    startedAt: info.startedAt,
    stream: conn.bus.streamName,
    projectDir: config.projectDir,
    projectFile: config.projectFile,
    via: info.via,
    ...(info.caddy === undefined ? {} : { caddy: info.caddy }),
  };
  if (flags.json) {
    term.out(JSON.stringify(doc));
    return 0;
  }
  const facts: [string, string][] = [
    ['node', info.node],
    ['pid', String(info.pid)],
    ['bus', info.nats],
    ['api', info.api ?? '- (not serving)'],
    ['data dir', info.dataDir],
    ['started', info.startedAt ?? '-'],
    ['stream', conn.bus.streamName],
    ...(info.caddy === undefined ? [] : ([['caddy', `${info.caddy.http}, ${info.caddy.https}, admin ${info.caddy.admin}`]] as [string, string][])),
    ['found via', info.via === 'NESTOR_URL' ? 'NESTOR_URL' : `${info.dataDir}/runtime.json`],
  ];
  for (const [k, v] of facts) term.out(`${k.padEnd(9)}  ${v}`);
  return 0;
}
