// The embedded server's files under the data dir and its configuration file. Everything the
// server writes (store, pid file, ports file) stays under `<dataDir>/nats/`: a server started
// without an explicit store dir would share /tmp/nats/jetstream with every other server.
import { join } from 'node:path';
import { authorizationBlock } from './credentials.ts';
import type { EmbeddedCredentials } from './credentials.ts';
import type { ClusterConfig, StoreKind } from '../config/index.ts';

/** Files and folders of one embedded server. */
export interface ServerPaths {
  dir: string;
  configFile: string;
  pidFile: string;
  /** Pid of the process that launched the server, to tell a stale server from a live one. */
  ownerFile: string;
  portsDir: string;
  storeDir: string;
}

/** Layout of the embedded server's files under a data dir. */
export function serverPaths(dataDir: string): ServerPaths {
  const dir = join(dataDir, 'nats');
  return {
    dir,
    configFile: join(dir, 'nats-server.conf'),
    pidFile: join(dir, 'nats-server.pid'),
    ownerFile: join(dir, 'owner.pid'),
    portsDir: join(dir, 'ports'),
    storeDir: join(dir, 'jetstream'),
  };
}

/** What goes into the server's configuration file. */
export interface ServerConfigInput {
  /** Unique per server: JetStream clustering identifies peers by it. */
  serverName: string;
  host: string;
  /** -1 for random. */
  port: number;
  /** -1 for random. */
  monitorPort: number;
  store: StoreKind;
  /** JetStream memory limit in bytes. */
  maxMemoryStore: number;
  cluster?: ClusterConfig;
  /** Credentials every client must present (opt-in, nats.auth). */
  auth?: EmbeddedCredentials;
}

/** Default JetStream memory limit: room for the event stream's 256 MiB and the snapshots. */
export const DEFAULT_MAX_MEMORY_STORE = 1024 * 1024 * 1024;

/** Renders a nats-server configuration file. */
export function renderServerConfig(input: ServerConfigInput, paths: ServerPaths): string {
  const q = (s: string): string => JSON.stringify(s);
  const jetstream = [
    `  store_dir: ${q(paths.storeDir)}`,
    `  max_memory_store: ${input.maxMemoryStore}`,
    // A memory-only server gets no file storage at all, so nothing can silently hit the disk.
    ...(input.store === 'memory' ? ['  max_file_store: 0'] : []),
  ];
  const lines = [
    '# Written by Nestor at every start; edits are overwritten.',
    `server_name: ${q(input.serverName)}`,
    `listen: ${q(`${input.host}:${input.port}`)}`,
    `http: ${q(`${input.host}:${input.monitorPort}`)}`,
    `pid_file: ${q(paths.pidFile)}`,
    `ports_file_dir: ${q(paths.portsDir)}`,
    'jetstream {',
    ...jetstream,
    '}',
    ...(input.auth === undefined ? [] : authorizationBlock(input.auth)),
  ];
  const c = input.cluster;
  if (c !== undefined) {
    lines.push(
      'cluster {',
      `  name: ${q(c.name)}`,
      `  listen: ${q(`${c.host}:${c.port}`)}`,
      `  routes: [${c.routes.map(q).join(', ')}]`,
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}
