// `nestor dep list|install|verify|prune`: the project's `.dep` folder without starting anything.
// install does what `nestor up` does before the first start; list, verify and prune read the
// manifest (.dep/manifest.json). Exit 0 ok, 1 when an install or a verify fails, 2 bad input.
import { dirname, join } from 'node:path';
import { findProjectFile, loadProjectFile } from '../config/index.ts';
import { DepError, ensureDeps, formatProgress, listInstalled, pruneInstalled, verifyInstalled } from '../dep/index.ts';
import type { DepEntry, DepResult } from '../dep/index.ts';
import { SpecError, validateProject } from '../spec/index.ts';
import type { CliContext } from './context.ts';
import { EXIT, UsageError } from './errors.ts';
import { renderTable } from './table.ts';
import type { Terminal } from './terminal.ts';
import { projectPath } from './validate.ts';

/** Options shared by the dep verbs. */
export interface DepVerbOptions {
  file?: string;
  json?: boolean;
  depMirror?: string;
}

/** Runs one dep verb; `names` limits install to those deps (or the deps of those services). */
export async function runDep(verb: string, names: string[], opts: DepVerbOptions, ctx: CliContext, term: Terminal): Promise<number> {
  switch (verb) {
    case 'list':
      return list(opts, ctx, term);
    case 'install':
      return install(names, opts, ctx, term);
    case 'verify':
      return verify(opts, ctx, term);
    case 'prune':
      return prune(opts, ctx, term);
    default:
      throw new UsageError(`unknown dep command ${JSON.stringify(verb)}: list, install, verify or prune`);
  }
}

function depDirOf(opts: DepVerbOptions, ctx: CliContext): string {
  const file = opts.file === undefined ? findProjectFile(ctx.cwd) : projectPath(ctx, opts.file);
  return join(file === null ? ctx.cwd : dirname(file), '.dep');
}

async function list(opts: DepVerbOptions, ctx: CliContext, term: Terminal): Promise<number> {
  const deps = await listInstalled(depDirOf(opts, ctx));
  if (opts.json) {
    term.out(JSON.stringify({ deps }));
    return EXIT.ok;
  }
  if (deps.length === 0) {
    term.info('no deps installed (`nestor dep install` installs the project\'s)');
    return EXIT.ok;
  }
  for (const line of renderTable(
    ['NAME', 'VERSION', 'SOURCE', 'PATH', 'CHECKSUM'],
    deps.map((d) => [d.name, d.version ?? '-', d.source, d.target ?? d.path, (d.checksum ?? '-').slice(0, 12)]),
  )) {
    term.out(line);
  }
  return EXIT.ok;
}

/** The project's dep entries (every service, whatever its profile), by dep name. */
async function projectDeps(opts: DepVerbOptions, ctx: CliContext): Promise<{ projectDir: string; mirror?: string; deps: Map<string, { entry: DepEntry; services: string[] }> }> {
  const path = projectPath(ctx, opts.file);
  const file = await loadProjectFile(path);
  const validated = validateProject(file.raw);
  if (!validated.ok) throw new SpecError(validated.errors, { source: path });
  const deps = new Map<string, { entry: DepEntry; services: string[] }>();
  for (const [id, spec] of Object.entries(validated.project.services)) {
    if (spec.dep === undefined) continue;
    const known = deps.get(spec.dep.name);
    if (known === undefined) deps.set(spec.dep.name, { entry: spec.dep, services: [id] });
    else known.services.push(id);
  }
  const block = (file.raw as { config?: { dep?: { mirror?: unknown } } } | null)?.config?.dep?.mirror;
  // The same order as the settings: flag, then environment, then the project file.
  const mirror = opts.depMirror ?? ctx.env.NESTOR_DEP_MIRROR ?? (typeof block === 'string' ? block : undefined);
  return { projectDir: dirname(path), mirror, deps };
}

async function install(names: string[], opts: DepVerbOptions, ctx: CliContext, term: Terminal): Promise<number> {
  const { projectDir, mirror, deps } = await projectDeps(opts, ctx);
  const chosen = names.length === 0 ? [...deps.values()] : names.map((n) => pick(deps, n));
  const results: DepResult[] = [];
  const failures: DepError[] = [];
  const progress = formatProgress((line) => term.info(line));
  // One at a time in the order asked for, so the progress lines of a slow download stay readable
  // and a failure does not stop the others.
  for (const { entry } of chosen) {
    try {
      results.push(...(await ensureDeps([entry], { projectDir, mirror, onProgress: progress })));
    } catch (err) {
      if (!(err instanceof DepError)) throw err;
      failures.push(err);
    }
  }
  if (opts.json) {
    term.out(JSON.stringify({ ok: failures.length === 0, deps: results, errors: failures.map((e) => ({ name: e.dep, reason: e.reason, message: e.detail })) }));
  } else {
    for (const r of results) term.out(`${r.name}: ${r.action} ${r.path}`);
    for (const e of failures) term.error(e.message);
  }
  return failures.length === 0 ? EXIT.ok : EXIT.failure;
}

function pick(deps: Map<string, { entry: DepEntry; services: string[] }>, name: string): { entry: DepEntry; services: string[] } {
  const byName = deps.get(name);
  if (byName !== undefined) return byName;
  const byService = [...deps.values()].find((d) => d.services.includes(name));
  if (byService !== undefined) return byService;
  throw new UsageError(`no dep or service named ${JSON.stringify(name)} with a dep in the project (deps: ${[...deps.keys()].join(', ') || 'none'})`);
}

async function verify(opts: DepVerbOptions, ctx: CliContext, term: Terminal): Promise<number> {
  const results = await verifyInstalled(depDirOf(opts, ctx));
  const bad = results.filter((r) => r.status === 'missing' || r.status === 'changed');
  if (opts.json) {
    term.out(JSON.stringify({ ok: bad.length === 0, deps: results }));
  } else {
    for (const r of results) {
      const why = r.status === 'changed' ? ` (sha256 ${r.actual}, the manifest says ${r.expected})` : r.status === 'missing' ? ` (${r.path} is gone)` : '';
      term.out(`${r.name}: ${r.status}${why}`);
    }
    if (results.length === 0) term.info('no deps installed');
    if (bad.length > 0) term.error(`${bad.length} dep(s) differ from the manifest; \`nestor dep install\` installs them again`);
  }
  return bad.length === 0 ? EXIT.ok : EXIT.failure;
}

async function prune(opts: DepVerbOptions, ctx: CliContext, term: Terminal): Promise<number> {
  const { projectDir, deps } = await projectDeps(opts, ctx);
  const result = await pruneInstalled(join(projectDir, '.dep'), new Set(deps.keys()));
  if (opts.json) {
    term.out(JSON.stringify(result));
    return EXIT.ok;
  }
  for (const name of result.records) term.out(`removed ${name}`);
  for (const file of result.files) term.out(`removed .dep/${file}`);
  if (result.records.length === 0 && result.files.length === 0) term.info('nothing to prune');
  return EXIT.ok;
}
