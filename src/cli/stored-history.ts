// The event history of a stopped stack. A file store keeps the stream under
// `<dataDir>/nats/jetstream/`, but only a nats-server can read it, so a temporary one is started
// on a copy of the stream's folder in a temp dir: the stored data is never written to, and the
// temporary server has its own pid file, config and random loopback ports, so a `nestor up`
// starting meanwhile (or after a SIGKILL of this command) finds nothing of it in its way.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectReader, launchNatsServer, readCredentials, serverPaths } from '../bus/index.ts';
import type { BusReader, EmbeddedServer } from '../bus/index.ts';
import type { NestorConfig } from '../config/index.ts';
import { loadCliConfig } from './connect.ts';
import type { CliContext } from './context.ts';
import { CliFailure } from './errors.ts';
import type { NotRunningError } from './errors.ts';

/** A read-only view of a stopped stack's stored events; close() stops everything it started. */
export interface StoredHistory extends AsyncDisposable {
  bus: BusReader;
  close(): Promise<void>;
}

/** Prefix of the temp dirs the temporary servers run in (tests look for leftovers by it). */
export const HISTORY_TMP_PREFIX = 'nestor-events-';

/** Where a data dir's file store keeps a stream (nats-server's layout: the global account `$G`). */
export function storedStreamDir(dataDir: string, stream: string): string {
  return join(serverPaths(dataDir).storeDir, 'jetstream', '$G', 'streams', stream);
}

/**
 * Opens the history a stopped stack left in its file store, or throws one sentence saying why
 * there is none to read here (`notRunning` when the project never stored any).
 */
export async function openStoredHistory(ctx: CliContext, file: string | undefined, notRunning: NotRunningError): Promise<StoredHistory> {
  const config = await loadCliConfig(ctx, file);
  const source = storedStreamDir(config.dataDir, config.events.stream);
  unreadable(config, notRunning);
  if (!existsSync(source)) throw notRunning;
  const dir = await mkdtemp(join(tmpdir(), HISTORY_TMP_PREFIX));
  let server: EmbeddedServer | undefined;
  let bus: BusReader | undefined;
  const close = async (): Promise<void> => {
    try {
      await bus?.close();
    } finally {
      try {
        await server?.stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  };
  try {
    await cp(source, storedStreamDir(dir, config.events.stream), { recursive: true });
    const auth = await readCredentials(config.dataDir);
    server = await launchNatsServer({
      dataDir: dir,
      serverName: 'nestor-events-history',
      host: '127.0.0.1',
      store: 'file',
      startTimeoutMs: config.nats.startTimeoutMs,
      ...(config.nats.binary === undefined ? {} : { binary: config.nats.binary }),
      ...(auth === null ? {} : { auth }),
    });
    bus = await connectReader(config, { urls: [server.natsUrl], name: 'nestor:cli:history', timeoutMs: 3_000, reconnect: { attempts: 0, waitMs: 100 } });
    return { bus, close, [Symbol.asyncDispose]: close };
  } catch (err) {
    await close().catch(() => {});
    throw new CliFailure(`Nestor is not running in ${config.projectDir}, and its stored history in ${source} could not be read: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

// The settings under which the data dir holds no history worth a temporary server.
function unreadable(config: NestorConfig, notRunning: NotRunningError): void {
  const { nats } = config;
  if (nats.mode === 'external') {
    throw new CliFailure(
      `${notRunning.message.replace(/; start it with .*$/, '')}; its history is on the NATS servers of nats.urls: ` +
        `read it with \`NESTOR_URL=${nats.urls.join(',')} nestor events\``,
      { cause: notRunning },
    );
  }
  if (nats.cluster !== undefined) {
    throw new CliFailure(
      `${notRunning.message.replace(/; start it with .*$/, '')}; this node's history is replicated across its cluster (nats.cluster): ` +
        'run `nestor events` where a member runs, or set NESTOR_URL to one',
      { cause: notRunning },
    );
  }
  if (nats.store === 'memory') {
    throw new CliFailure(
      "history needs a running node: this project's events are kept in memory by the embedded broker (nats.store: memory), " +
        'so nothing survives a stop; start it with `nestor up`',
      { cause: notRunning },
    );
  }
}
