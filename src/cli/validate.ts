// `nestor validate [-f FILE] [--json]`: checks a project file (includes resolved) and prints
// every problem with its field path; exit 0 when valid, 2 when not.
import { dirname, resolve } from 'node:path';
import { findProjectFile, loadProjectFile } from '../config/index.ts';
import type { ProjectFile } from '../config/index.ts';
import { checkEnvFiles } from '../process/index.ts';
import { formatIssue, validateProject } from '../spec/index.ts';
import type { SpecIssue } from '../spec/index.ts';
import { definedEnv } from './context.ts';
import type { CliContext } from './context.ts';
import { UsageError } from './errors.ts';
import type { Terminal } from './terminal.ts';

/** The project file a verb works on: `-f FILE` (relative to the project folder) or the one there. */
export function projectPath(ctx: CliContext, file?: string): string {
  if (file !== undefined) return resolve(ctx.cwd, file);
  const found = findProjectFile(ctx.cwd);
  if (found === null) throw new UsageError(`no nestor.yaml, nestor.yml or nestor.json in ${ctx.cwd}; pass -f FILE`);
  return found;
}

/** Validates the project file; exit 0 when valid, 2 when not. */
export async function runValidate(opts: { file?: string; json?: boolean }, ctx: CliContext, term: Terminal): Promise<number> {
  const path = projectPath(ctx, opts.file);
  const file = await loadProjectFile(path);
  const validated = validateProject(file.raw);
  // Env files are checked only once the specs are valid: their names come from the specs.
  const envIssues = validated.ok ? checkEnvFiles(validated.project, dirname(path), definedEnv(ctx.env)) : [];
  const result = envIssues.length > 0 ? { ok: false as const, errors: envIssues } : validated;
  if (opts.json) {
    const errors = result.ok ? [] : result.errors.map((issue) => ({ ...issue, ...(positionOf(file, issue) ?? {}) }));
    term.out(JSON.stringify(result.ok ? { ok: true, file: path, services: Object.keys(result.project.services) } : { ok: false, file: path, errors }));
    return result.ok ? 0 : 2;
  }
  if (result.ok) {
    term.out(`${path}: valid, ${Object.keys(result.project.services).length} service(s)`);
    return 0;
  }
  term.error(`${path}: ${result.errors.length} problem(s); fix them and run \`nestor validate\` again`);
  for (const issue of result.errors) {
    const at = positionOf(file, issue);
    term.out(`  ${at === null ? '' : `line ${at.line}: `}${formatIssue(issue)}`);
  }
  return 2;
}

// Issue paths read `services.api.ports.primary` or `services.api.process.args[2]`; `services["a.b"]`
// (quoted keys) are not located.
function positionOf(file: ProjectFile, issue: SpecIssue): { line: number; column: number } | null {
  if (issue.path.includes('"')) return null;
  const keys = issue.path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
  const path = keys.map((k) => (/^\d+$/.test(k) && issue.path.includes(`[${k}]`) ? Number(k) : k));
  // A missing key has no position of its own: show where its parent is.
  for (let n = path.length; n > 0; n--) {
    const at = file.locate(path.slice(0, n));
    if (at !== null) return at;
  }
  return null;
}
