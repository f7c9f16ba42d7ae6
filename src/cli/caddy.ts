// `nestor caddy modules [--json]`: the module registry beside what the installed caddy has;
// `nestor caddy build [-o DIR] [--modules a,b] [--caddy-version v]`: the Go sources of a Caddy
// with the registry's modules, built with `go build` when Go is installed.
import { resolve } from 'node:path';
import { CADDY_MODULES, CaddyNotFoundError, DEFAULT_CADDY_VERSION, GoBuildError, GoMissingError, buildCaddy, compareModules, findCaddy, inspectCaddy, selectModules } from '../caddy/index.ts';
import type { CaddyBinaryInfo } from '../caddy/index.ts';
import { loadConfig } from '../config/index.ts';
import type { NestorConfig } from '../config/index.ts';
import type { CliContext } from './context.ts';
import { CliFailure, UsageError } from './errors.ts';
import { renderTable } from './table.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor caddy modules`. */
export interface CaddyModulesFlags {
  file?: string;
  caddyBinary?: string;
  json?: boolean;
}

/** Flags of `nestor caddy build`. */
export interface CaddyBuildFlags {
  file?: string;
  output?: string;
  modules?: string;
  caddyVersion?: string;
  json?: boolean;
}

function config(ctx: CliContext, file: string | undefined, binary?: string): Promise<NestorConfig> {
  return loadConfig({ cwd: ctx.cwd, env: ctx.env, projectFile: file, flags: binary === undefined ? {} : { caddy: { binary } } });
}

/** Prints the registry and which of its modules the caddy binary has; exit 1 when the binary is missing. */
export async function runCaddyModules(flags: CaddyModulesFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const cfg = await config(ctx, flags.file, flags.caddyBinary);
  let binary: CaddyBinaryInfo | null = null;
  let problem: string | null = null;
  try {
    binary = await inspectCaddy(await findCaddy(cfg.caddy.binary, ctx.env.PATH ?? ''));
  } catch (err) {
    if (!(err instanceof CaddyNotFoundError)) throw err;
    problem = err.message;
  }
  const statuses = compareModules(binary?.modules ?? new Set());
  if (flags.json) {
    const doc = {
      binary: binary === null ? null : { path: binary.path, version: binary.version, standard: binary.standard.length, nonStandard: binary.nonStandard },
      error: problem,
      registry: statuses.map((s) => ({ ...s, present: binary === null ? null : s.missing.length === 0 })),
    };
    term.out(JSON.stringify(doc));
  } else {
    if (binary !== null) term.out(`caddy ${binary.path} ${binary.version}: ${binary.standard.length} standard, ${binary.nonStandard.length} non-standard modules`);
    const rows = statuses.map((s) => [s.name, s.ids.join(', '), s.goModule === null ? 'standard' : `${s.goModule}@${s.version}`, binary === null ? '?' : s.missing.length === 0 ? 'yes' : s.missing.length === s.ids.length ? 'no' : `missing ${s.missing.join(', ')}`]);
    for (const line of renderTable(['MODULE', 'IDS', 'SOURCE', 'IN BINARY'], rows)) term.out(line);
    const lacking = statuses.filter((s) => s.missing.length > 0).length;
    if (binary !== null && lacking > 0) term.out(`${lacking} of ${statuses.length} registry modules are not in this binary; \`nestor caddy build\` makes one with them`);
  }
  if (problem !== null) {
    term.error(problem);
    return 1;
  }
  return 0;
}

/** Writes the build sources and builds them with Go; exit 1 (sources kept) without a Go toolchain. */
export async function runCaddyBuild(flags: CaddyBuildFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const names = flags.modules?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const { modules, unknown } = selectModules(names);
  if (unknown.length > 0) throw new UsageError(`--modules: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the registry (${CADDY_MODULES.map((m) => m.name).join(', ')}); \`nestor caddy modules\` lists it`);
  const caddyVersion = flags.caddyVersion ?? DEFAULT_CADDY_VERSION;
  if (!/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(caddyVersion)) throw new UsageError(`--caddy-version ${JSON.stringify(caddyVersion)}: expected a version such as ${DEFAULT_CADDY_VERSION}`);
  const dir = flags.output === undefined ? resolve((await config(ctx, flags.file)).dataDir, 'caddy-build') : resolve(ctx.cwd, flags.output);
  try {
    const result = await buildCaddy({ dir, modules, caddyVersion, searchPath: ctx.env.PATH ?? '', env: { ...process.env, ...ctx.env }, onStep: (step) => {
        if (!flags.json) term.out(`running ${step} in ${dir}`);
      } });
    if (flags.json) term.out(JSON.stringify({ dir, files: result.files, binary: result.binary, modules: modules.map((m) => m.name), caddyVersion }));
    else term.out(`built ${result.binary} (Caddy ${caddyVersion} with ${modules.map((m) => m.name).join(', ') || 'the standard modules only'}); point caddy.binary (NESTOR_CADDY_BINARY) at it`);
    return 0;
  } catch (err) {
    if (err instanceof GoMissingError || err instanceof GoBuildError) throw new CliFailure(err.message, { cause: err });
    throw err;
  }
}
