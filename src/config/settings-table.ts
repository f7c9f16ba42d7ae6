// The table of settings that can be given outside the project file: environment variable and
// CLI flag for each dotted path. It is the single place those names are spelled; the env layer
// is read through it (settings.ts), the CLI builds its options from it, and docs/config.md lists
// it (a test keeps the two in step). It imports nothing: every `nestor` invocation builds its
// flags from it before it knows whether the verb needs the config's schema (zod).

/** How a string from the environment or the command line becomes a value. */
export type SettingKind = 'string' | 'int' | 'bool' | 'list';

/** One setting reachable by environment variable and flag. */
export interface Setting {
  /** Dotted path in the config (`nats.port`); the project-file key under `config:`. */
  path: string;
  env: string;
  flag: string;
  kind: SettingKind;
}

function s(path: string, kind: SettingKind, env: string, flag: string): Setting {
  return { path, kind, env, flag };
}

/** Every setting with its environment variable and flag. */
export const SETTINGS: readonly Setting[] = [
  s('dataDir', 'string', 'NESTOR_DATA_DIR', '--data-dir'),
  s('node', 'string', 'NESTOR_NODE', '--node'),
  s('node.tags', 'list', 'NESTOR_NODE_TAGS', '--tag'),
  s('node.address', 'string', 'NESTOR_NODE_ADDRESS', '--address'),
  s('logLevel', 'string', 'NESTOR_LOG_LEVEL', '--log-level'),
  s('nats.mode', 'string', 'NESTOR_NATS_MODE', '--nats-mode'),
  s('nats.binary', 'string', 'NESTOR_NATS_SERVER', '--nats-server'),
  s('nats.host', 'string', 'NESTOR_NATS_HOST', '--nats-host'),
  s('nats.port', 'int', 'NESTOR_NATS_PORT', '--nats-port'),
  s('nats.monitorPort', 'int', 'NESTOR_NATS_MONITOR_PORT', '--nats-monitor-port'),
  s('nats.store', 'string', 'NESTOR_NATS_STORE', '--nats-store'),
  s('nats.auth', 'string', 'NESTOR_NATS_AUTH', '--nats-auth'),
  s('nats.urls', 'list', 'NESTOR_NATS_URLS', '--nats-url'),
  s('nats.user', 'string', 'NESTOR_NATS_USER', '--nats-user'),
  s('nats.pass', 'string', 'NESTOR_NATS_PASS', '--nats-pass'),
  s('nats.token', 'string', 'NESTOR_NATS_TOKEN', '--nats-token'),
  s('nats.creds', 'string', 'NESTOR_NATS_CREDS', '--nats-creds'),
  s('nats.cluster.name', 'string', 'NESTOR_CLUSTER_NAME', '--cluster-name'),
  s('nats.cluster.host', 'string', 'NESTOR_CLUSTER_HOST', '--cluster-host'),
  s('nats.cluster.port', 'int', 'NESTOR_CLUSTER_PORT', '--cluster-port'),
  s('nats.cluster.routes', 'list', 'NESTOR_CLUSTER_ROUTES', '--cluster-route'),
  s('nats.startTimeoutMs', 'int', 'NESTOR_NATS_START_TIMEOUT_MS', '--nats-start-timeout-ms'),
  s('events.stream', 'string', 'NESTOR_EVENTS_STREAM', '--events-stream'),
  s('events.maxAgeMs', 'int', 'NESTOR_EVENTS_MAX_AGE_MS', '--events-max-age-ms'),
  s('events.maxBytes', 'int', 'NESTOR_EVENTS_MAX_BYTES', '--events-max-bytes'),
  s('events.maxMsgs', 'int', 'NESTOR_EVENTS_MAX_MSGS', '--events-max-msgs'),
  s('events.duplicateWindowMs', 'int', 'NESTOR_EVENTS_DUPLICATE_WINDOW_MS', '--events-duplicate-window-ms'),
  s('events.replicas', 'int', 'NESTOR_EVENTS_REPLICAS', '--events-replicas'),
  s('events.snapshotEvery', 'int', 'NESTOR_EVENTS_SNAPSHOT_EVERY', '--events-snapshot-every'),
  s('events.snapshotIntervalMs', 'int', 'NESTOR_EVENTS_SNAPSHOT_INTERVAL_MS', '--events-snapshot-interval-ms'),
  s('api.host', 'string', 'NESTOR_API_HOST', '--api-host'),
  s('api.port', 'int', 'NESTOR_API_PORT', '--api-port'),
  s('api.token', 'string', 'NESTOR_API_TOKEN', '--api-token'),
  s('api.readOnly', 'bool', 'NESTOR_API_READ_ONLY', '--read-only'),
  s('api.allowedHosts', 'list', 'NESTOR_API_ALLOWED_HOSTS', '--api-allowed-host'),
  s('membership.heartbeatMs', 'int', 'NESTOR_HEARTBEAT_MS', '--heartbeat-ms'),
  s('membership.leaseTtlMs', 'int', 'NESTOR_LEASE_TTL_MS', '--lease-ttl-ms'),
  s('membership.fenceAfterMs', 'int', 'NESTOR_FENCE_AFTER_MS', '--fence-after-ms'),
  s('caddy.enabled', 'bool', 'NESTOR_CADDY', '--caddy'),
  s('caddy.binary', 'string', 'NESTOR_CADDY_BINARY', '--caddy-binary'),
  s('caddy.httpPort', 'int', 'NESTOR_CADDY_HTTP_PORT', '--caddy-http-port'),
  s('caddy.httpsPort', 'int', 'NESTOR_CADDY_HTTPS_PORT', '--caddy-https-port'),
  s('caddy.adminPort', 'int', 'NESTOR_CADDY_ADMIN_PORT', '--caddy-admin-port'),
  s('dep.mirror', 'string', 'NESTOR_DEP_MIRROR', '--dep-mirror'),
];

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/** Converts one string to a setting's kind; a string that does not convert is kept as is so
 * that validation reports it with the setting's expectation. */
export function parseSettingValue(kind: SettingKind, raw: string): unknown {
  const v = raw.trim();
  switch (kind) {
    case 'string':
      return v;
    case 'int':
      return /^-?\d+$/.test(v) ? Number(v) : v;
    case 'bool': {
      const lower = v.toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      return v;
    }
    case 'list':
      return v
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
  }
}

/** The setting at a dotted path (or the closest enclosing one), if any. */
export function settingByPath(path: string): Setting | undefined {
  let best: Setting | undefined;
  for (const s of SETTINGS) {
    if ((path === s.path || path.startsWith(`${s.path}.`)) && (best === undefined || s.path.length > best.path.length)) best = s;
  }
  return best;
}

/** Sets a setting's value in a layer being built; the `node` id moves into a mapping when a
 * tag or an address joins it. */
export function setSettingPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else node = node[key] = typeof next === 'string' && key === 'node' ? { id: next } : {};
  }
  const last = keys[keys.length - 1] as string;
  const current = node[last];
  if (last === 'node' && typeof value === 'string' && typeof current === 'object' && current !== null) (current as Record<string, unknown>).id = value;
  else node[last] = value;
}

