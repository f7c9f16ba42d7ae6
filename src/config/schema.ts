// The shape of Nestor's settings. One zod schema validates every layer (project file `config:`
// block, environment, flags) the same way; every field is optional in a layer, and defaults are
// filled in only after the layers are merged (resolve.ts). Each error message is the "expected"
// half of a ConfigError, so it is written for a person.
import { isIP } from 'node:net';
import * as z from 'zod';
import { ID_PATTERN } from '../events/index.ts';
import { LOG_LEVELS } from '../log/index.ts';
import type { LogLevel } from '../log/index.ts';

const NAME = /^[A-Za-z0-9_-]+$/;

function int(min: number, max: number, expected: string) {
  return z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
}

function text(expected: string) {
  return z.string({ error: expected }).min(1, { error: expected });
}

function list(expected: string) {
  return z.array(text(expected), { error: `a list of ${expected}` });
}

// nats-server treats port 0 as "the default port" (4222), not "random", so 0 is refused and
// -1 asks for a random port.
const NATS_PORT = 'an integer port 1-65535, or -1 for a random port';
const natsPort = int(-1, 65535, NATS_PORT).refine((p) => p !== 0, { error: NATS_PORT });
const MAX_INT = Number.MAX_SAFE_INTEGER;

const clusterLayer = z.strictObject(
  {
    // Optional in a layer (the env may add routes to a file's cluster); required once merged.
    name: z.string({ error: 'a cluster name of letters, digits, "-" or "_"' }).regex(NAME, { error: 'a cluster name of letters, digits, "-" or "_"' }).optional(),
    host: text('a host name or IP address').optional(),
    port: natsPort.optional(),
    routes: list('route URLs such as nats://10.0.0.2:6222').optional(),
  },
  { error: 'a mapping with name, host, port and routes' },
);

const natsLayer = z.strictObject(
  {
    mode: z.enum(['embedded', 'external'], { error: '"embedded" or "external"' }).optional(),
    binary: text('the path of a nats-server binary').optional(),
    host: text('a host name or IP address').optional(),
    port: natsPort.optional(),
    monitorPort: natsPort.optional(),
    store: z.enum(['file', 'memory'], { error: '"file" or "memory"' }).optional(),
    auth: z.enum(['none', 'token', 'password'], { error: '"none", "token" or "password"' }).optional(),
    urls: list('NATS URLs such as nats://127.0.0.1:4222').optional(),
    user: text('a user name').optional(),
    pass: text('a password').optional(),
    token: text('a token').optional(),
    creds: text('the path of a .creds file').optional(),
    cluster: clusterLayer.optional(),
    startTimeoutMs: int(1, MAX_INT, 'a positive number of milliseconds').optional(),
  },
  { error: 'a mapping of NATS settings' },
);

const eventsLayer = z.strictObject(
  {
    stream: z.string({ error: 'a stream name of letters, digits, "-" or "_"' }).regex(NAME, { error: 'a stream name of letters, digits, "-" or "_"' }).optional(),
    maxAgeMs: int(0, MAX_INT, 'milliseconds >= 0 (0 keeps events forever)').optional(),
    maxBytes: int(-1, MAX_INT, 'bytes, or -1 for no limit').optional(),
    maxMsgs: int(-1, MAX_INT, 'a message count, or -1 for no limit').optional(),
    duplicateWindowMs: int(1, MAX_INT, 'a positive number of milliseconds').optional(),
    replicas: int(1, 5, 'a replica count from 1 to 5').optional(),
    snapshotEvery: int(0, MAX_INT, 'an event count, or 0 for no snapshot by count').optional(),
    snapshotIntervalMs: int(0, MAX_INT, 'milliseconds, or 0 for no snapshot by time').optional(),
  },
  { error: 'a mapping of event stream settings' },
);

// A name the API answers to: a host name or IP, optionally with a port; IPv6 in brackets.
const HOST_NAME = 'host names such as nestor.example.com or nestor.lan:8080';
const HOST_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

const apiLayer = z.strictObject(
  {
    host: text('a host name or IP address').optional(),
    port: int(0, 65535, 'an integer port 1-65535, or 0 for a random port').optional(),
    token: text('a bearer token').optional(),
    readOnly: z.boolean({ error: 'true or false' }).optional(),
    allowedHosts: z
      .array(z.string({ error: HOST_NAME }).regex(HOST_PATTERN, { error: HOST_NAME }), { error: `a list of ${HOST_NAME}` })
      .optional(),
  },
  { error: 'a mapping of API settings' },
);

const NODE_ID = 'a node id of letters, digits, "-" or "_" (at most 64)';
const nodeId = z.string({ error: 'a node id' }).regex(ID_PATTERN, { error: NODE_ID });

/** Most tags a node may carry. */
export const MAX_NODE_TAGS = 32;
// "=" and ":" let a tag carry a value (`zone=eu-1`, `rack:3`) without a second setting.
const TAG = 'tags of letters, digits, "-", "_", ".", ":" or "=" (such as gpu or zone=eu-1)';
const TAG_PATTERN = /^[A-Za-z0-9_.:=-]+$/;
// A bare host: other nodes dial it with a port of their own choosing, so none is accepted here.
const ADDRESS = 'a host name or IP address without a port, such as 10.0.0.5 or node-1.lan';
const HOST_LABELS = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

const nodeLayer = z.strictObject(
  {
    id: nodeId.optional(),
    tags: z
      .array(z.string({ error: TAG }).regex(TAG_PATTERN, { error: TAG }), { error: `a list of ${TAG}` })
      // A refinement rather than .max(): zod lets a size check abort the union, which would
      // hide this message behind the union's generic one.
      .refine((tags) => tags.length <= MAX_NODE_TAGS, { error: `at most ${MAX_NODE_TAGS} tags` })
      .optional(),
    address: z
      .string({ error: ADDRESS })
      .refine((a) => isIP(a) !== 0 || HOST_LABELS.test(a), { error: ADDRESS })
      .optional(),
  },
  { error: 'a mapping with id, tags and address' },
);

const HEARTBEAT = 'an integer number of milliseconds >= 50 (>= 10 in test mode)';
const membershipLayer = z.strictObject(
  {
    // The floor here is the one of test mode; loadConfig raises it outside tests.
    heartbeatMs: int(10, MAX_INT, HEARTBEAT).optional(),
    leaseTtlMs: int(1, MAX_INT, 'a positive number of milliseconds').optional(),
    fenceAfterMs: int(1, MAX_INT, 'a positive number of milliseconds').optional(),
  },
  { error: 'a mapping with heartbeatMs, leaseTtlMs and fenceAfterMs' },
);

const CADDY_PORT = 'an integer port 1-65535, or 0 for a random free port';
const caddyLayer = z.strictObject(
  {
    enabled: z.boolean({ error: 'true or false' }).optional(),
    binary: text('the path of a caddy binary').optional(),
    httpPort: int(0, 65535, CADDY_PORT).optional(),
    httpsPort: int(0, 65535, CADDY_PORT).optional(),
    adminPort: int(0, 65535, CADDY_PORT).optional(),
    // Routes shared by specs; their shape is checked with the specs (src/spec/caddy-checks.ts).
    templates: z.record(z.string(), z.unknown(), { error: 'a mapping of route templates by name' }).optional(),
  },
  { error: 'a mapping of Caddy settings' },
);

const MIRROR = 'an http(s) URL that stands in for https://github.com in release downloads';
const depLayer = z.strictObject(
  { mirror: z.string({ error: MIRROR }).regex(/^https?:\/\/[^\s/]+(?:\/\S*)?$/, { error: MIRROR }).optional() },
  { error: 'a mapping with mirror' },
);

/** Schema of one settings layer: every field optional, unknown keys refused. */
export const configLayerSchema = z.strictObject(
  {
    dataDir: text('a directory path').optional(),
    // The id alone (the older spelling, still the usual one) or a mapping with tags and address.
    node: z.union([nodeId, nodeLayer], { error: 'a node id, or a mapping with id, tags and address' }).optional(),
    logLevel: z.enum(LOG_LEVELS, { error: LOG_LEVELS.join(', ') }).optional(),
    nats: natsLayer.optional(),
    events: eventsLayer.optional(),
    api: apiLayer.optional(),
    membership: membershipLayer.optional(),
    caddy: caddyLayer.optional(),
    dep: depLayer.optional(),
  },
  { error: 'a mapping of Nestor settings' },
);

/** One layer of settings (project file block, environment, flags); every field optional. */
export type ConfigInput = z.input<typeof configLayerSchema>;

/** How NATS is reached: a child nats-server of our own, or servers someone else runs. */
export type NatsMode = 'embedded' | 'external';
/** JetStream storage of the event stream and the snapshot bucket. */
export type StoreKind = 'file' | 'memory';

/** Routes that join embedded servers into one NATS cluster. */
export interface ClusterConfig {
  name: string;
  host: string;
  /** Port of the cluster listener; -1 for random (then others cannot dial this node). */
  port: number;
  /** Route URLs of the other members (nats://host:port of their cluster listeners). */
  routes: string[];
}

/** NATS connection and embedded-server settings. */
export interface NatsConfig {
  mode: NatsMode;
  /** nats-server binary to run; looked up on PATH and in /usr/sbin when absent. */
  binary?: string;
  host: string;
  /** Client port of the embedded server; -1 for random. */
  port: number;
  /** HTTP monitoring port of the embedded server; -1 for random. */
  monitorPort: number;
  store: StoreKind;
  /** Servers to connect to in external mode. */
  urls: string[];
  user?: string;
  pass?: string;
  token?: string;
  /** Path of a .creds file (JWT + nkey seed). */
  creds?: string;
  cluster?: ClusterConfig;
  startTimeoutMs: number;
  /** Embedded mode: clients need a per-project token or user/password kept in the data dir. */
  auth: EmbeddedAuth;
}

/** Credentials the embedded server asks of every client ("none": loopback only, no credentials). */
export type EmbeddedAuth = 'none' | 'token' | 'password';

/** Limits of the event stream. */
export interface EventsConfig {
  stream: string;
  maxAgeMs: number;
  maxBytes: number;
  maxMsgs: number;
  duplicateWindowMs: number;
  replicas: number;
  /** A node saves a snapshot of the state after this many new events (0: not by count). */
  snapshotEvery: number;
  /** It also saves one after this long when any event came in since the last (0: not by time). */
  snapshotIntervalMs: number;
}

/** HTTP API settings. */
export interface ApiConfig {
  host: string;
  /** 0 picks a random free port; the runtime info file tells other verbs which. */
  port: number;
  token?: string;
  readOnly: boolean;
  /** More names (`name` or `name:port`) the API answers to besides its listening address. */
  allowedHosts: readonly string[];
}

/** Settings of the dep installer. */
export interface DepConfig {
  /** Replaces https://github.com in github-release downloads. */
  mirror?: string;
}

/** Timings of cluster membership: how often a node says it is alive and when it loses its lease. */
export interface MembershipConfig {
  /** Interval between two heartbeats of this node. */
  heartbeatMs: number;
  /** How long a lease lives without a heartbeat renewing it. */
  leaseTtlMs: number;
  /** How long a node that cannot renew waits before it stops (fences) its own services. */
  fenceAfterMs: number;
}

/** The node's managed Caddy (docs/caddy.md). */
export interface CaddyConfig {
  /** Start Caddy even when no service is exposed. */
  enabled: boolean;
  /** caddy binary to run; looked up on PATH and in /usr/bin when absent. */
  binary?: string;
  /** 0 picks a free port at start (the default in tests). */
  httpPort: number;
  httpsPort: number;
  /** Loopback port of Caddy's admin API; 0 picks a free one. */
  adminPort: number;
  /** Named routes specs may use (config.caddy.templates), as written. */
  templates: Record<string, unknown>;
}

/** Fully resolved settings of one Nestor process. */
export interface NestorConfig {
  projectDir: string;
  /** The project file that was read, or null when there is none. */
  projectFile: string | null;
  dataDir: string;
  /** Stable id of this node (see node-id.ts); also the embedded server's name. */
  node: string;
  /** Labels of this node (`gpu`, `zone=eu-1`) that placement may match. */
  nodeTags: string[];
  /** Where other nodes reach this node's services (a host name or IP, no port). */
  nodeAddress: string;
  logLevel: LogLevel;
  nats: NatsConfig;
  events: EventsConfig;
  api: ApiConfig;
  membership: MembershipConfig;
  caddy: CaddyConfig;
  /** The dep installer's settings (docs/dep.md); optional so hand-built configs need not name it. */
  dep?: DepConfig;
  /** True when loaded for tests (unique data dir, memory store). */
  test: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Defaults of everything that does not depend on the project directory or test mode. */
export const DEFAULTS = {
  logLevel: 'info',
  nats: { host: '127.0.0.1', port: -1, monitorPort: -1, startTimeoutMs: 10_000, clusterHost: '127.0.0.1', clusterPort: -1 },
  events: {
    stream: 'ORCHESTRATOR',
    maxAgeMs: 7 * DAY_MS,
    maxBytes: 256 * 1024 * 1024,
    maxMsgs: 1_000_000,
    duplicateWindowMs: 2 * 60 * 1000,
    replicas: 1,
    snapshotEvery: 10_000,
    snapshotIntervalMs: 60_000,
  },
  api: { host: '127.0.0.1', port: 0, readOnly: false, allowedHosts: [] as readonly string[] },
  membership: { heartbeatMs: 1000, leaseTtlMs: 5000, fenceAfterMs: 3000 },
  caddy: { enabled: false, httpPort: 80, httpsPort: 443, adminPort: 0 },
  /** What `--join` implies when no cluster name or port is given anywhere. */
  join: { clusterName: 'nestor', clusterPort: 6222 },
} as const;
