// The environment contract between the runner and a service it starts. The runner sets these
// variables; a service reads them with readServiceEnv(). Names are listed once, here, so the
// runner and services cannot drift apart.

/** Names of the NESTOR_* variables the runner sets in every service's environment. */
export const NESTOR_ENV = {
  /** Service id, e.g. `alpha`. */
  service: 'NESTOR_SERVICE',
  /** Instance name, `<service>@<n>` (replicas of one service differ only here). */
  instance: 'NESTOR_INSTANCE',
  /** Id of the node whose controller started the process. */
  node: 'NESTOR_NODE',
  /** The service's data directory (the spec's {dirs.data}). */
  dataDir: 'NESTOR_DATA_DIR',
  /** The primary port. */
  port: 'NESTOR_PORT',
  /** Prefix of one variable per named port: NESTOR_PORT_<NAME>. */
  portPrefix: 'NESTOR_PORT_',
  /** Comma-separated NATS server URLs of the bus. */
  natsUrl: 'NESTOR_NATS_URL',
  /** Broker token, set when the project's nats.auth is "token". */
  natsToken: 'NESTOR_NATS_TOKEN',
  /** Broker user and password, set when the project's nats.auth is "password". */
  natsUser: 'NESTOR_NATS_USER',
  natsPass: 'NESTOR_NATS_PASS',
} as const;

/** What a service learns about itself from its environment; absent variables stay undefined. */
export interface ServiceEnv {
  service?: string;
  /** `<service>@<n>`. */
  instance?: string;
  node?: string;
  dataDir?: string;
  natsUrl?: string;
  /** `primary` from NESTOR_PORT, other names from NESTOR_PORT_<NAME> (lower-cased). */
  ports: Record<string, number>;
}

/** The variable that carries a named port: `metrics` → NESTOR_PORT_METRICS, `admin-api` → NESTOR_PORT_ADMIN_API. */
export function portEnvName(portName: string): string {
  return NESTOR_ENV.portPrefix + portName.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Reads the NESTOR_* variables; malformed ports are ignored rather than guessed at. */
export function readServiceEnv(env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  const ports: Record<string, number> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(NESTOR_ENV.portPrefix) || value === undefined) continue;
    const port = parsePort(value);
    if (port !== undefined) ports[key.slice(NESTOR_ENV.portPrefix.length).toLowerCase()] = port;
  }
  // NESTOR_PORT wins over a NESTOR_PORT_PRIMARY that disagrees: it is the documented name.
  const primary = parsePort(env[NESTOR_ENV.port]);
  if (primary !== undefined) ports.primary = primary;
  return {
    service: nonEmpty(env[NESTOR_ENV.service]),
    instance: nonEmpty(env[NESTOR_ENV.instance]),
    node: nonEmpty(env[NESTOR_ENV.node]),
    dataDir: nonEmpty(env[NESTOR_ENV.dataDir]),
    natsUrl: nonEmpty(env[NESTOR_ENV.natsUrl]),
    ports,
  };
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,5}$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return n >= 1 && n <= 65535 ? n : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
