// loadConfig: the first step of the one startup path (config → bus → controller → ...). It
// merges defaults < project file `config:` block < NESTOR_* environment < flags, validates
// every layer with the same schema, then fills in what depends on the project directory and
// on test mode. It creates the data dir (the node id lives there) and does nothing else.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { readOrCreateNodeId } from './node-id.ts';
import { findProjectFile, readProjectFile } from './project-file.ts';
import { DEFAULTS } from './schema.ts';
import type { ClusterConfig, ConfigInput, NatsConfig, NestorConfig } from './schema.ts';
import { envLayer, settingByPath, validateLayer } from './settings.ts';

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
  const merged = mergeLayers(fileLayer, envLayer(opts.env ?? process.env), flagLayer);
  const test = opts.test === true;
  const settings = {
    logLevel: merged.logLevel ?? DEFAULTS.logLevel,
    nats: resolveNats(merged.nats ?? {}, test),
    events: { ...DEFAULTS.events, ...merged.events },
    api: { ...DEFAULTS.api, ...merged.api },
  };
  checkCombinations(settings);
  // Only a valid configuration touches the disk.
  const dataDir = await prepareDataDir(merged.dataDir, projectDir, test, opts.testName);
  const node = merged.node ?? (await readOrCreateNodeId(dataDir));
  return { projectDir, projectFile, dataDir, node, ...settings, test };
}

async function readConfigBlock(path: string): Promise<ConfigInput> {
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

// Settings that are each valid alone but contradict one another.
function checkCombinations(c: Pick<NestorConfig, 'nats' | 'events'>): void {
  const { nats, events } = c;
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
