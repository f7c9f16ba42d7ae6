// Placeholders in spec strings: `{ports.primary}`, `{dirs.data}`, `{env.HOME}`,
// `{services.db.ports.primary}`, and the `{shared.*}` aliases older specs use (docs/spec.md,
// *Compatibility fields*). A placeholder is `{`, a
// letter, then letters, digits, ".", "-" or "_", then `}`; any other brace is literal text, and
// `{{` is a literal `{`. Validation checks names against the spec; expansion needs a context
// that the runner builds once ports and directories are known.
import { formatPath, summarize } from './issues.ts';
import type { PathSegment, SpecIssue } from './issues.ts';
import { own } from './own.ts';
import type { ServiceSpec } from './types.ts';

/** Values placeholders expand to, for one service about to start. */
export interface PlaceholderContext {
  /** This service's ports by name ("primary" included); 0 means not allocated yet. */
  ports: Record<string, number>;
  dirs: { data: string; logs: string; project: string; depBin: string };
  env: Record<string, string | undefined>;
  /** Other services' ports and the address of the node running them, for {services.<id>.ports.<name>} and {services.<id>.host}. */
  services: Record<string, { ports: Record<string, number>; host?: string }>;
  serviceId: string;
  nodeId: string;
}

/** A placeholder could not be expanded: it names nothing known, or its value is not available. */
export class PlaceholderError extends Error {
  /** Path of the spec field holding it, when known (e.g. "process.args[0]"). */
  readonly field: string | undefined;

  constructor(
    readonly placeholder: string,
    readonly reason: 'unknown' | 'unavailable',
    readonly detail: string,
    options?: ErrorOptions & { field?: string },
  ) {
    super(`${options?.field ? `${options.field}: ` : ''}cannot expand ${placeholder}: ${detail}`, options);
    this.name = 'PlaceholderError';
    this.field = options?.field;
  }
}

/** What a placeholder refers to. */
type Ref =
  | { kind: 'port'; name: string }
  | { kind: 'dir'; dir: 'data' | 'logs' | 'project' | 'depBin' }
  | { kind: 'env'; name: string }
  | { kind: 'servicePort'; service: string; port: string }
  | { kind: 'serviceHost'; service: string }
  | { kind: 'serviceId' }
  | { kind: 'nodeId' };

const ALIASES: Record<string, Ref> = {
  'dirs.data': { kind: 'dir', dir: 'data' },
  'dirs.logs': { kind: 'dir', dir: 'logs' },
  'dirs.project': { kind: 'dir', dir: 'project' },
  'dep.bin': { kind: 'dir', dir: 'depBin' },
  'shared.dep.bin': { kind: 'dir', dir: 'depBin' },
  'shared.config.dir': { kind: 'dir', dir: 'data' },
  'shared.config.dataDir': { kind: 'dir', dir: 'data' },
  'shared.log.dir': { kind: 'dir', dir: 'logs' },
  'service.id': { kind: 'serviceId' },
  'node.id': { kind: 'nodeId' },
};

const KNOWN_TEXT =
  'a known placeholder: {ports.<name>}, {dirs.data|logs|project}, {dep.bin}, {env.NAME}, ' +
  '{services.<id>.ports.<name>}, {services.<id>.host}, {service.id}, {node.id} (write {{ for a literal {)';

function parseRef(name: string): Ref | null {
  const alias = ALIASES[name];
  if (alias) return alias;
  const parts = name.split('.');
  if (parts.length === 2 && parts[0] === 'ports' && parts[1]) return { kind: 'port', name: parts[1] };
  if (parts.length === 2 && parts[0] === 'env' && parts[1] && /^[A-Za-z_][A-Za-z0-9_]*$/.test(parts[1])) {
    return { kind: 'env', name: parts[1] };
  }
  if (parts.length === 4 && parts[0] === 'services' && parts[2] === 'ports' && parts[1] && parts[3]) {
    return { kind: 'servicePort', service: parts[1], port: parts[3] };
  }
  if (parts.length === 3 && parts[0] === 'services' && parts[2] === 'host' && parts[1]) return { kind: 'serviceHost', service: parts[1] };
  return null;
}

const PLACEHOLDER_AT = /\{([A-Za-z][A-Za-z0-9_.-]*)\}/y;

type Piece = { text: string } | { name: string };

function scan(str: string): Piece[] {
  const pieces: Piece[] = [];
  let text = '';
  let i = 0;
  while (i < str.length) {
    if (str[i] === '{') {
      if (str[i + 1] === '{') {
        text += '{';
        i += 2;
        continue;
      }
      PLACEHOLDER_AT.lastIndex = i;
      const m = PLACEHOLDER_AT.exec(str);
      if (m) {
        if (text) pieces.push({ text });
        text = '';
        pieces.push({ name: m[1] as string });
        i += m[0].length;
        continue;
      }
    }
    text += str[i];
    i += 1;
  }
  if (text) pieces.push({ text });
  return pieces;
}

/** Placeholder names in a string, in order, without braces (`{{` escapes are skipped). */
export function listPlaceholders(str: string): string[] {
  return scan(str).flatMap((p) => ('name' in p ? [p.name] : []));
}

function resolve(name: string, ctx: PlaceholderContext): string {
  const ref = parseRef(name);
  const placeholder = `{${name}}`;
  const missing = (detail: string): never => {
    throw new PlaceholderError(placeholder, 'unavailable', detail);
  };
  if (!ref) throw new PlaceholderError(placeholder, 'unknown', `expected ${KNOWN_TEXT}`);
  switch (ref.kind) {
    case 'port': {
      const port = own(ctx.ports, ref.name);
      return port ? String(port) : missing(`port "${ref.name}" is not ${port === 0 ? 'allocated yet' : 'declared'}`);
    }
    case 'dir':
      return ctx.dirs[ref.dir] || missing(`no ${ref.dir} directory in the context`);
    case 'env': {
      const value = own(ctx.env, ref.name);
      return value !== undefined ? value : missing(`environment variable ${ref.name} is not set`);
    }
    case 'servicePort': {
      const other = own(ctx.services, ref.service);
      if (!other) return missing(`service "${ref.service}" has no known ports (not started yet?)`);
      const port = own(other.ports, ref.port);
      return port ? String(port) : missing(`service "${ref.service}" has no port "${ref.port}" yet`);
    }
    case 'serviceHost': {
      const other = own(ctx.services, ref.service);
      return other?.host ?? missing(`service "${ref.service}" runs on no known node yet`);
    }
    case 'serviceId':
      return ctx.serviceId;
    case 'nodeId':
      return ctx.nodeId;
  }
}

/** Expands every placeholder; throws PlaceholderError naming the first unknown or unavailable one. */
export function expand(str: string, ctx: PlaceholderContext): string {
  return scan(str)
    .map((p) => ('name' in p ? resolve(p.name, ctx) : p.text))
    .join('');
}

/** Every string field of a spec that may hold placeholders, with its path inside the spec. */
export function placeholderFields(spec: ServiceSpec): [PathSegment[], string][] {
  const out: [PathSegment[], string][] = [];
  out.push([['process', 'command'], spec.process.command]);
  spec.process.args.forEach((a, i) => out.push([['process', 'args', i], a]));
  for (const [k, v] of Object.entries(spec.process.env)) out.push([['process', 'env', k], v]);
  if (spec.process.workingDir !== undefined) out.push([['process', 'workingDir'], spec.process.workingDir]);
  spec.process.ensure.forEach((e, i) => {
    if (e.type === 'mkdir') out.push([['process', 'ensure', i, 'path'], e.path]);
    else {
      out.push([['process', 'ensure', i, 'template'], e.template]);
      out.push([['process', 'ensure', i, 'target'], e.target]);
    }
  });
  for (const field of ['health', 'liveness'] as const) {
    const probe = spec[field];
    if (probe?.endpoint !== undefined) out.push([[field, 'endpoint'], probe.endpoint]);
    probe?.command?.forEach((c, i) => out.push([[field, 'command', i], c]));
  }
  if (spec.logging.stdout !== undefined) out.push([['logging', 'stdout'], spec.logging.stdout]);
  if (spec.logging.stderr !== undefined) out.push([['logging', 'stderr'], spec.logging.stderr]);
  return out;
}

/** Port names of a spec as placeholders know them ("primary" plus additional names). */
export function portNames(spec: Pick<ServiceSpec, 'ports'>): string[] {
  return [...(spec.ports.primary ? ['primary'] : []), ...spec.ports.additional.map((p) => p.name)];
}

/** Options of checkPlaceholders. */
export interface CheckPlaceholderOptions {
  /** Path of the spec (default ['services', id]). */
  prefix?: readonly PathSegment[];
  /** Whether this service (transitively) depends on another; enables the random-port check. */
  dependsOn?: (other: string) => boolean;
  /** Further ids that exist without a usable spec (invalid ones): not reported as unknown. */
  alsoKnown?: readonly string[];
}

/**
 * Checks every placeholder of a spec. `services` is the project's services: ids only, or specs
 * (which also lets port names and random-port dependencies be checked), or null when they are
 * not known (a spec checked on its own: {services.*} then only has to be well formed).
 */
export function checkPlaceholders(
  spec: ServiceSpec,
  services: readonly string[] | Readonly<Record<string, ServiceSpec>> | null,
  opts: CheckPlaceholderOptions = {},
): SpecIssue[] {
  const { prefix = ['services', spec.id], dependsOn, alsoKnown = [] } = opts;
  const issues: SpecIssue[] = [];
  const ids = services === null ? null : new Set([...(Array.isArray(services) ? services : Object.keys(services)), ...alsoKnown]);
  const specs = services === null || Array.isArray(services) ? undefined : (services as Readonly<Record<string, ServiceSpec>>);
  const ownPorts = portNames(spec);
  for (const [path, str] of placeholderFields(spec)) {
    for (const name of listPlaceholders(str)) {
      const expected = problemWith(name, spec, ownPorts, ids, specs, dependsOn);
      if (expected) issues.push({ path: formatPath([...prefix, ...path]), expected, got: summarize(`{${name}}`) });
    }
  }
  return issues;
}

function problemWith(
  name: string,
  spec: ServiceSpec,
  ownPorts: string[],
  ids: Set<string> | null,
  specs: Readonly<Record<string, ServiceSpec>> | undefined,
  dependsOn: ((other: string) => boolean) | undefined,
): string | null {
  const ref = parseRef(name);
  if (!ref) return KNOWN_TEXT;
  if (ref.kind === 'port' && !ownPorts.includes(ref.name)) {
    return ownPorts.length === 0
      ? 'a declared port (this service declares no ports)'
      : `a declared port (${ownPorts.map((p) => `{ports.${p}}`).join(', ')})`;
  }
  if (ref.kind === 'serviceHost') return ids === null || ids.has(ref.service) ? null : 'a service of this project in {services.<id>.host}';
  if (ref.kind !== 'servicePort') return null;
  if (ref.service === spec.id) return `{ports.${ref.port}} for this service's own port`;
  if (ids === null) return null;
  if (!ids.has(ref.service)) return `a service of this project in {services.<id>.ports.<name>}`;
  const other = own(specs, ref.service);
  if (!other) return null;
  const names = portNames(other);
  if (!names.includes(ref.port)) {
    return `a port declared by service "${ref.service}" (${names.length ? names.join(', ') : 'it declares none'})`;
  }
  const port = ref.port === 'primary' ? other.ports.primary : other.ports.additional.find((p) => p.name === ref.port);
  if (port?.port === 0 && dependsOn && !dependsOn(ref.service)) {
    return `"${ref.service}" among the dependencies (its random port is known only once it starts)`;
  }
  return null;
}

/** A copy of a spec with every placeholder expanded; PlaceholderError names the field that failed. */
export function expandSpec(spec: ServiceSpec, ctx: PlaceholderContext): ServiceSpec {
  const x = (str: string, path: PathSegment[]): string => {
    try {
      return expand(str, ctx);
    } catch (err) {
      if (!(err instanceof PlaceholderError)) throw err;
      throw new PlaceholderError(err.placeholder, err.reason, err.detail, {
        field: formatPath(path),
        cause: err,
      });
    }
  };
  const probe = (field: 'health' | 'liveness'): Partial<ServiceSpec> => {
    const p = spec[field];
    if (!p) return {};
    return {
      [field]: {
        ...p,
        ...(p.endpoint !== undefined ? { endpoint: x(p.endpoint, [field, 'endpoint']) } : {}),
        ...(p.command ? { command: p.command.map((c, i) => x(c, [field, 'command', i])) } : {}),
      },
    };
  };
  return {
    ...spec,
    process: {
      ...spec.process,
      command: x(spec.process.command, ['process', 'command']),
      args: spec.process.args.map((a, i) => x(a, ['process', 'args', i])),
      env: Object.fromEntries(Object.entries(spec.process.env).map(([k, v]) => [k, x(v, ['process', 'env', k])])),
      ...(spec.process.workingDir !== undefined ? { workingDir: x(spec.process.workingDir, ['process', 'workingDir']) } : {}),
      ensure: spec.process.ensure.map((e, i) =>
        e.type === 'mkdir'
          ? { type: 'mkdir', path: x(e.path, ['process', 'ensure', i, 'path']) }
          : {
              type: 'template',
              template: x(e.template, ['process', 'ensure', i, 'template']),
              target: x(e.target, ['process', 'ensure', i, 'target']),
            },
      ),
    },
    ...probe('health'),
    ...probe('liveness'),
    logging: {
      ...spec.logging,
      ...(spec.logging.stdout !== undefined ? { stdout: x(spec.logging.stdout, ['logging', 'stdout']) } : {}),
      ...(spec.logging.stderr !== undefined ? { stderr: x(spec.logging.stderr, ['logging', 'stderr']) } : {}),
    },
  };
}
