// How the verbs reach a running instance (target.ts finds it). `nestor up` writes `<dataDir>/runtime.json`;
// NESTOR_URL (a NATS URL of the running instance) overrides it, and then the node is the one
// that announced itself last on the stream (orchestrator.node.up). The CLI connects as a plain
// NATS client: no embedded server, no controller, and it creates or changes nothing on the
// bus: it holds a BusReader, and sends commands as requests.
import { ReaderConnectError, connectReader } from '../bus/index.ts';
import type { BusReader } from '../bus/index.ts';
import type { NestorConfig } from '../config/index.ts';
import { typeFilter } from '../events/index.ts';
import type { CliContext } from './context.ts';
import { CliFailure } from './errors.ts';
import { findTarget } from './target.ts';
import type { InstanceInfo, Target } from './target.ts';

export { findTarget, fromRuntimeInfo, hasProject, loadCliConfig } from './target.ts';
export type { InstanceInfo, Target } from './target.ts';

/** An open connection to a running instance. */
export interface Connection extends AsyncDisposable {
  bus: BusReader;
  info: InstanceInfo;
  config: NestorConfig;
  close(): Promise<void>;
}

/** Connects to the running instance of the project in `ctx.cwd` (or NESTOR_URL). */
export async function connectInstance(ctx: CliContext, file?: string): Promise<Connection> {
  return openConnection(await findTarget(ctx, file));
}

/** Connects to a target found by findTarget (or built from a runtime info file). */
export async function openConnection(target: Target): Promise<Connection> {
  const urls = target.kind === 'url' ? target.urls : [target.info.nats];
  const bus = await connectReader(target.config, {
    urls,
    name: 'nestor:cli',
    timeoutMs: 3_000,
    // A short outage (a cluster member restarting) is ridden out; a stopped instance is not.
    reconnect: { attempts: 5, waitMs: 200 },
  }).catch((err: unknown) => {
    throw err instanceof ReaderConnectError ? cliFailure(err, target, urls) : err;
  });
  try {
    const info = target.kind === 'url' ? await announcedNode(bus, urls) : target.info;
    const close = (): Promise<void> => bus.close();
    return { bus, info, config: target.config, close, [Symbol.asyncDispose]: close };
  } catch (err) {
    await bus.close().catch(() => {});
    throw err;
  }
}

function cliFailure(err: ReaderConnectError, target: Target, urls: string[]): CliFailure {
  const cause = err.cause;
  switch (err.stage) {
    case 'connect': {
      const reason = (cause as Error).message;
      if (target.kind === 'url') {
        return new CliFailure(`Nestor is not reachable at ${urls.join(', ')} (NESTOR_URL): ${reason}; check the URL or unset NESTOR_URL`, { cause });
      }
      return new CliFailure(
        `Nestor (pid ${target.info.pid}) runs in ${target.config.projectDir} but its bus at ${urls[0]} does not answer: ${reason}; ` +
          'wait for it to finish starting, or stop it with `nestor down`',
        { cause },
      );
    }
    case 'jetstream':
      return new CliFailure(`the NATS server at ${urls.join(', ')} has no JetStream; is NESTOR_URL the bus of a Nestor instance?`, { cause });
    case 'stream': {
      const stream = target.config.events.stream;
      return new CliFailure(`there is no event stream ${stream} on ${urls.join(', ')}; is this the bus of a Nestor instance (events.stream, NESTOR_EVENTS_STREAM)?`, {
        cause,
      });
    }
  }
}

/** The node that announced itself last on the stream. */
async function announcedNode(bus: BusReader, urls: string[]): Promise<InstanceInfo> {
  const last = await bus.lastEvent(typeFilter('orchestrator.node.up'));
  if (last === null || !last.ok || last.event.type !== 'orchestrator.node.up') {
    throw new CliFailure(`no Nestor node has announced itself on ${urls.join(', ')} (no orchestrator.node.up event); is NESTOR_URL right?`);
  }
  const d = last.event.data;
  return {
    node: d.node,
    pid: d.pid,
    nats: d.nats,
    api: d.api,
    dataDir: d.dataDir,
    startedAt: last.event.timestamp,
    hostname: d.hostname,
    version: d.version,
    via: 'NESTOR_URL',
  };
}

/** A signal aborted when the connection closes for good (the instance stopped). */
export function closedSignal(conn: Pick<Connection, 'bus'>): AbortSignal {
  const ac = new AbortController();
  void conn.bus.closed().then(() => ac.abort());
  return ac.signal;
}
