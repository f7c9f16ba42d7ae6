// loadConfig: the first step of the one startup path (config → bus → controller → ...). It
// merges defaults < project file `config:` block < NESTOR_* environment < flags, validates
// every layer with the same schema, then fills in what depends on the project directory and
// on test mode. It creates the data dir (the node id lives there) and does nothing else.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { readOrCreateNodeId } from './node-id.ts';
import { findProjectFile, readConfigBlockFast, readProjectFile } from './project-file.ts';
import { DEFAULTS } from './schema.ts';
import type { ClusterConfig, ConfigInput, NatsConfig, NestorConfig } from './schema.ts';
import { envLayer, validateLayer } from './settings.ts';
import { settingByPath } from './settings-table.ts';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Directory to look for the project file in; the process's cwd by default. */
  cwd?: string;
  /** Command-line settings; they win over everything else. */
  flags?: ConfigInput;
  /** Environment to read `NESTOR_*` variables from; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /** Test mode: a fresh data dir under `<projectDir>/.data-test/`, memory store by default. */
  test?: boolean;
  /** Readable prefix of the test data dir's name. */
  testName?: string;
  /** Project file to read (`-f`); null reads none; by default the one in `cwd`, if any. */
  projectFile?: string | null;
  /** `--join` URLs: cluster routes like `--cluster-route`, and a default cluster name and port. */
  join?: string[];
}

/** Name of the folder holding test data dirs, under the project dir. */
export const TEST_DATA_ROOT = '.data-test';

/** Loads, merges and validates the settings of one Nestor process. */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<NestorConfig> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const projectFile = opts.projectFile === null ? null : opts.projectFile !== undefined ? resolve(cwd, opts.projectFile) : findProjectFile(cwd);
  const projectDir = projectFile === null ? cwd : dirname(projectFile);
  const fileLayer = projectFile === null ? {} : await readConfigBlock(projectFile);
  const flagLayer = validateLayer(opts.flags ?? {}, (path) => settingByPath(path)?.flag ?? 'flags');
  const joinLayers = joinedCluster(opts.join ?? []);
  const merged = mergeLayers(joinLayers.defaults, fileLayer, envLayer(opts.env ?? process.env), flagLayer);
  addRoutes(merged, joinLayers.routes);
  const test = opts.test === true;
  const nats = resolveNats(merged.nats ?? {}, test);
  const routes = nats.mode === 'embedded' ? (nats.cluster?.routes.length ?? 0) : 0;
  const node = typeof merged.node === 'object' ? merged.node : {};
  const settings = {
    nodeTags: node.tags ?? [],
    nodeAddress: node.address ?? defaultNodeAddress(routes > 0, networkInterfaces(), hostname()),
    logLevel: merged.logLevel ?? DEFAULTS.logLevel,
    nats,
    // Each route is one more server, so replicas follow the cluster's size up to R3 (the usual
    // JetStream choice: it survives one server lost) unless a replica count is given.
    events: { ...DEFAULTS.events, ...(routes > 0 ? { replicas: Math.min(3, routes + 1) } : {}), ...merged.events },
    api: { ...DEFAULTS.api, ...merged.api },
    membership: { ...DEFAULTS.membership, ...merged.membership },
    // Tests never take the machine's 80/443: every Caddy port is a free one unless set.
    caddy: { ...DEFAULTS.caddy, ...(test ? { httpPort: 0, httpsPort: 0 } : {}), templates: {}, ...merged.caddy },
    dep: { ...merged.dep },
  };
  checkCombinations(settings, test);
  // Only a valid configuration touches the disk.
  const dataDir = await prepareDataDir(merged.dataDir, projectDir, test, opts.testName);
  const id = node.id ?? (await readOrCreateNodeId(dataDir));
  return { projectDir, projectFile, dataDir, node: id, ...settings, test };
}

/** Where other nodes reach this one: loopback for a lone node, else the machine's first external IPv4. */
export function defaultNodeAddress(clustered: boolean, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>, host: string): string {
  if (!clustered) return '127.0.0.1';
  for (const infos of Object.values(interfaces)) {
    const found = infos?.find((i) => i.family === 'IPv4' && !i.internal);
    if (found !== undefined) return found.address;
  }
  return host;
}

// `--join` is `--cluster-route` plus defaults: a node told to join a cluster should not also
// have to name it, and its route port must be fixed (not the random -1 of a lone cluster
// setting) for the others to dial it back. The defaults sit below the file, so any layer that
// names the cluster or its port wins.
function joinedCluster(urls: string[]): { defaults: ConfigInput; routes: string[] } {
  if (urls.length === 0) return { defaults: {}, routes: [] };
  const routes = validateLayer({ nats: { cluster: { routes: urls } } }, () => '--join').nats?.cluster?.routes ?? [];
  return { defaults: { nats: { cluster: { name: DEFAULTS.join.clusterName, port: DEFAULTS.join.clusterPort } } }, routes };
}

// Joined URLs add to the routes of the other layers instead of replacing them, as `--join`
// and `--cluster-route` given together both count.
function addRoutes(merged: ConfigInput, routes: string[]): void {
  if (routes.length === 0) return;
  const cluster = merged.nats?.cluster ?? {};
  const all = [...(cluster.routes ?? []), ...routes.filter((r) => !(cluster.routes ?? []).includes(r))];
  merged.nats = { ...merged.nats, cluster: { ...cluster, routes: all } };
}

async function readConfigBlock(path: string): Promise<ConfigInput> {
  const fast = await readConfigBlockFast(path);
  if (fast?.kind === 'none') return {};
  if (fast?.kind === 'block' && (fast.value === null || fast.value === undefined)) return {};
  if (fast?.kind === 'block') {
    try {
      return validateLayer(fast.value, () => path, () => null, ['config']);
    } catch {
      // Refused: the whole parse below gives the same refusal with its line and column.
    }
  }
  const file = await readProjectFile(path);
  if (file.raw === null || file.raw === undefined) return {};
  if (typeof file.raw !== 'object' || Array.isArray(file.raw)) {
    throw new ConfigError({ source: path, path: null, expected: 'a mapping with services: (and optionally config:)', got: file.raw });
  }
  const block = (file.raw as Record<string, unknown>).config;
  if (block === undefined || block === null) return {};
  return validateLayer(block, () => path, (p) => file.locate(p), ['config']);
}

async function prepareDataDir(configured: string | undefined, projectDir: string, test: boolean, testName?: string): Promise<string> {
  if (configured !== undefined) {
    const dir = resolve(projectDir, configured);
    await mkdir(dir, { recursive: true });
    return dir;
  }
  if (!test) {
    const dir = join(projectDir, '.data');
    await mkdir(dir, { recursive: true });
    return dir;
  }
  const root = join(projectDir, TEST_DATA_ROOT);
  await mkdir(root, { recursive: true });
  const label = (testName ?? 'test').replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40);
  return mkdtemp(join(root, `${label}-`));
}

function resolveNats(n: NonNullable<ConfigInput['nats']>, test: boolean): NatsConfig {
  const urls = n.urls ?? [];
  const nats: NatsConfig = {
    mode: n.mode ?? (urls.length > 0 ? 'external' : 'embedded'),
    host: n.host ?? DEFAULTS.nats.host,
    port: n.port ?? DEFAULTS.nats.port,
    monitorPort: n.monitorPort ?? DEFAULTS.nats.monitorPort,
    store: n.store ?? (test ? 'memory' : 'file'),
    urls,
    startTimeoutMs: n.startTimeoutMs ?? DEFAULTS.nats.startTimeoutMs,
    auth: n.auth ?? 'none',
  };
  for (const key of ['binary', 'user', 'pass', 'token', 'creds'] as const) {
    const value = n[key];
    if (value !== undefined) nats[key] = value;
  }
  if (n.cluster !== undefined) nats.cluster = resolveCluster(n.cluster);
  return nats;
}

function resolveCluster(c: NonNullable<NonNullable<ConfigInput['nats']>['cluster']>): ClusterConfig {
  if (c.name === undefined) throw problem('nats.cluster.name', 'a cluster name whenever another cluster setting is given');
  return { name: c.name, host: c.host ?? DEFAULTS.nats.clusterHost, port: c.port ?? DEFAULTS.nats.clusterPort, routes: c.routes ?? [] };
}

function problem(path: string, expected: string): ConfigError {
  return new ConfigError({ source: 'config', path, expected });
}

// Outside tests a fencing node needs this long, after it gives up, to stop its services before
// its lease can expire and another node may start them: a lease that expired earlier would let
// two copies of a service run at once. Tests stop small processes on one machine, so less will do.
const FENCE_MARGIN_MS = 1000;
const TEST_FENCE_MARGIN_MS = 100;
const MIN_HEARTBEAT_MS = 50;

// Settings that are each valid alone but contradict one another.
function checkCombinations(c: Pick<NestorConfig, 'nats' | 'events' | 'membership'>, test: boolean): void {
  const { nats, events, membership } = c;
  const auth = (['user', 'token', 'creds'] as const).filter((k) => nats[k] !== undefined);
  if (nats.mode === 'external') {
    if (nats.urls.length === 0) throw problem('nats.urls', 'at least one URL in external mode (NESTOR_NATS_URLS, --nats-url or config.nats.urls)');
    if (nats.cluster !== undefined) throw problem('nats.cluster', 'no cluster settings in external mode (the external servers form their own cluster)');
    if (nats.auth !== 'none') throw problem('nats.auth', '"none" in external mode (give the external servers\' credentials with nats.user/pass, token or creds)');
    if (auth.length > 1) throw problem(`nats.${auth[1]}`, `one authentication method, but ${auth.join(' and ')} are set`);
    if ((nats.user === undefined) !== (nats.pass === undefined)) throw problem('nats.pass', 'nats.user and nats.pass to be set together');
  } else {
    if (nats.urls.length > 0) throw problem('nats.urls', 'no URLs in embedded mode (set nats.mode to "external" to connect to them)');
    if (nats.auth !== 'none' && nats.cluster !== undefined) throw problem('nats.auth', '"none" with cluster settings (cluster routes carry no credentials yet)');
    const set = [...auth, ...(nats.pass === undefined ? [] : ['pass'])];
    if (set.length > 0) throw problem(`nats.${set[0]}`, 'no client credentials in embedded mode (they are for external servers)');
  }
  if (events.replicas > 1 && nats.mode === 'embedded' && nats.cluster === undefined) {
    throw problem('events.replicas', '1 unless nats.cluster is set (a single server keeps one copy)');
  }
  if (events.maxAgeMs > 0 && events.duplicateWindowMs > events.maxAgeMs) {
    throw problem('events.duplicateWindowMs', `at most events.maxAgeMs (${events.maxAgeMs})`);
  }
  checkMembership(membership, test);
}

function checkMembership(m: NestorConfig['membership'], test: boolean): void {
  if (!test && m.heartbeatMs < MIN_HEARTBEAT_MS) {
    throw problem('membership.heartbeatMs', `at least ${MIN_HEARTBEAT_MS} milliseconds outside test mode (a faster heartbeat loads the bus for nothing)`);
  }
  // One missed heartbeat is a hiccup; fencing on it would stop services on every pause.
  if (m.fenceAfterMs < 2 * m.heartbeatMs) {
    throw problem('membership.fenceAfterMs', `at least twice membership.heartbeatMs (${2 * m.heartbeatMs}), so that one missed heartbeat does not fence the node`);
  }
  const margin = test ? TEST_FENCE_MARGIN_MS : FENCE_MARGIN_MS;
  if (m.leaseTtlMs < m.fenceAfterMs + margin) {
    throw problem(
      'membership.leaseTtlMs',
      `at least membership.fenceAfterMs + ${margin} (${m.fenceAfterMs + margin}): fencing must complete before the lease can expire, or another node could start a service this one still runs`,
    );
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges layers, later ones winning; arrays and scalars are replaced, not merged. */
function mergeLayers(...layers: ConfigInput[]): ConfigInput {
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) {
      if (v === undefined) continue;
      const prev = out[k];
      out[k] = isPlainObject(prev) && isPlainObject(v) ? merge(prev, v) : v;
    }
    return out;
  };
  return layers.reduce<Record<string, unknown>>((acc, l) => merge(acc, l as Record<string, unknown>), {}) as ConfigInput;
}
