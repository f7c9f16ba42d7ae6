// The Caddy module registry: the modules a custom Caddy build for Nestor includes, with the
// module ids they register (what `caddy list-modules` prints and what a route's JSON names) and
// the Go import path and version a build needs. It also turns a selection of the registry into
// the two files `go build` needs (main.go and go.mod). Pure: no I/O, so the generated source
// can be checked as text.

/** One entry of the registry. */
export interface CaddyModule {
  /** Short name used by `nestor caddy build --modules` (`ratelimit`, `cloudflare`). */
  name: string;
  /** The Caddy module ids this entry provides (`http.handlers.rate_limit`). */
  ids: readonly string[];
  /** Go package to import for its side effect (module registration); null for modules of Caddy's standard set. */
  importPath: string | null;
  /** Go module to require in go.mod and its pinned version; null for standard modules. */
  goModule: string | null;
  version: string | null;
  /** What it is for. */
  summary: string;
}

/** Go module of Caddy itself. */
export const CADDY_GO_MODULE = 'github.com/caddyserver/caddy/v2';
/** Caddy version a build pins when none is asked for. Go's minimal version selection may raise it when a module needs a newer Caddy. */
export const DEFAULT_CADDY_VERSION = 'v2.10.2';
/** The `go` directive of the generated go.mod (Caddy 2.10 needs Go 1.24). */
export const GO_DIRECTIVE = '1.24';
/** Go module path of the generated program. */
export const BUILD_MODULE_PATH = 'nestor.local/caddy';

/** The registry: every module a Nestor Caddy build includes by default. */
export const CADDY_MODULES: readonly CaddyModule[] = [
  {
    name: 'acme_server',
    ids: ['http.handlers.acme_server'],
    importPath: null,
    goModule: null,
    version: null,
    summary: "an ACME server backed by Caddy's local CA (part of Caddy's standard modules)",
  },
  {
    name: 'cloudflare',
    ids: ['dns.providers.cloudflare'],
    importPath: 'github.com/caddy-dns/cloudflare',
    goModule: 'github.com/caddy-dns/cloudflare',
    version: 'v0.2.4',
    summary: 'DNS-01 ACME challenges through Cloudflare (wildcard certificates, hosts not reachable from the internet)',
  },
  {
    name: 'route53',
    ids: ['dns.providers.route53'],
    importPath: 'github.com/caddy-dns/route53',
    goModule: 'github.com/caddy-dns/route53',
    version: 'v1.6.2',
    summary: 'DNS-01 ACME challenges through AWS Route 53',
  },
  {
    // The successor of caddy-auth-portal and caddy-auth-jwt, which are archived.
    name: 'security',
    ids: ['security', 'http.handlers.authenticator', 'http.authentication.providers.authorizer'],
    importPath: 'github.com/greenpau/caddy-security',
    goModule: 'github.com/greenpau/caddy-security',
    version: 'v1.1.31',
    summary: 'authentication portal and JWT/PASETO authorization (successor of caddy-auth-portal and caddy-auth-jwt)',
  },
  {
    name: 'ratelimit',
    ids: ['http.handlers.rate_limit'],
    importPath: 'github.com/mholt/caddy-ratelimit',
    goModule: 'github.com/mholt/caddy-ratelimit',
    version: 'v0.1.0',
    summary: 'rate limiting per key (client address, header, ...) over sliding windows',
  },
  {
    // The repository holds several packages; the app and the HTTP handler are the ones routes use.
    name: 'crowdsec',
    ids: ['crowdsec', 'http.handlers.crowdsec'],
    importPath: 'github.com/hslatman/caddy-crowdsec-bouncer/http',
    goModule: 'github.com/hslatman/caddy-crowdsec-bouncer',
    version: 'v0.14.1',
    summary: 'blocks clients that CrowdSec decided against (the crowdsec app and its HTTP handler)',
  },
  {
    name: 'forwardproxy',
    ids: ['http.handlers.forward_proxy'],
    importPath: 'github.com/caddyserver/forwardproxy',
    goModule: 'github.com/caddyserver/forwardproxy',
    // No tagged release: the pseudo-version of a commit known to build with Caddy 2.10.
    version: 'v0.0.0-20251013200746-bb364cc53204',
    summary: 'an HTTP forward proxy (CONNECT), with basic auth and access lists',
  },
];

/** The registry entry that provides a module id, if any. */
export function moduleProviding(id: string): CaddyModule | undefined {
  return CADDY_MODULES.find((m) => m.ids.includes(id));
}

/** Entries selected by short name, Go module path or module id; unknown names are returned apart. */
export function selectModules(names: readonly string[] | undefined): { modules: CaddyModule[]; unknown: string[] } {
  if (names === undefined) return { modules: [...CADDY_MODULES], unknown: [] };
  const modules: CaddyModule[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const found = CADDY_MODULES.find((m) => m.name === name || m.goModule === name || m.importPath === name || m.ids.includes(name));
    if (found === undefined) unknown.push(name);
    else if (!modules.includes(found)) modules.push(found);
  }
  return { modules, unknown };
}

/** One registry entry beside what a Caddy binary has. */
export interface ModuleStatus {
  name: string;
  ids: readonly string[];
  goModule: string | null;
  version: string | null;
  /** The ids the binary lacks (empty: the binary has the whole entry). */
  missing: string[];
}

/** Compares the registry with the module ids a binary lists. */
export function compareModules(installed: ReadonlySet<string>, registry: readonly CaddyModule[] = CADDY_MODULES): ModuleStatus[] {
  return registry.map((m) => ({ name: m.name, ids: m.ids, goModule: m.goModule, version: m.version, missing: m.ids.filter((id) => !installed.has(id)) }));
}

/**
 * The module ids in the output of `caddy list-modules`: the ids one per line, each group
 * closed by a count line ("Standard modules: 98", then "Non-standard modules: N", then
 * "Unknown modules: N"); `--versions` adds a version after the id.
 */
export function parseListModules(output: string): { standard: string[]; nonStandard: string[]; all: Set<string> } {
  const groups: string[][] = [[], [], []];
  let group = 0;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const count = /^(standard|non-standard|unknown) modules:\s*\d+$/i.exec(line);
    if (count !== null) {
      group = ['standard', 'non-standard', 'unknown'].indexOf((count[1] as string).toLowerCase()) + 1;
      continue;
    }
    const id = line.split(/\s+/)[0] as string;
    if (/^[a-z0-9_.]+$/.test(id)) groups[Math.min(group, 2)]?.push(id);
  }
  const [standard = [], nonStandard = [], unknown = []] = groups;
  return { standard, nonStandard: [...nonStandard, ...unknown], all: new Set([...standard, ...nonStandard, ...unknown]) };
}

/** The sources of a build. */
export interface BuildSources {
  'main.go': string;
  'go.mod': string;
}

/** main.go and go.mod of a Caddy build with Caddy's standard modules plus `modules`. */
export function generateBuildSources(modules: readonly CaddyModule[], caddyVersion: string = DEFAULT_CADDY_VERSION): BuildSources {
  if (!/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(caddyVersion)) throw new Error(`a Caddy version such as ${DEFAULT_CADDY_VERSION}, not ${JSON.stringify(caddyVersion)}`);
  const imports = [...new Set(modules.flatMap((m) => (m.importPath === null ? [] : [m.importPath])))].sort();
  const mainGo = [
    '// Code generated by `nestor caddy build`; edit the module registry instead.',
    '',
    '// A Caddy with its standard modules and the modules of the Nestor registry.',
    'package main',
    '',
    'import (',
    '\tcaddycmd "github.com/caddyserver/caddy/v2/cmd"',
    '',
    '\t_ "github.com/caddyserver/caddy/v2/modules/standard"',
    ...imports.map((p) => `\t_ "${p}"`),
    ')',
    '',
    'func main() {',
    '\tcaddycmd.Main()',
    '}',
    '',
  ].join('\n');
  const requires = new Map<string, string>([[CADDY_GO_MODULE, caddyVersion]]);
  for (const m of modules) if (m.goModule !== null && m.version !== null) requires.set(m.goModule, m.version);
  const goMod = [
    `module ${BUILD_MODULE_PATH}`,
    '',
    `go ${GO_DIRECTIVE}`,
    '',
    'require (',
    ...[...requires].map(([mod, v]) => `\t${mod} ${v}`),
    ')',
    '',
  ].join('\n');
  return { 'main.go': mainGo, 'go.mod': goMod };
}
