// `nestor validate`: checks a project file and prints every problem with its field path.
import { findProjectFile, loadProjectFile } from '../config/index.ts';
import { validateProject } from '../spec/index.ts';
import { UsageError } from './errors.ts';
import type { Terminal } from './terminal.ts';

/** Validates the project file; exit 0 when valid, 2 when not. */
export async function runValidate(opts: { file?: string; json?: boolean }, term: Terminal): Promise<number> {
  const path = opts.file ?? findProjectFile(process.cwd());
  if (path === null) throw new UsageError(`no nestor.yaml, nestor.yml or nestor.json in ${process.cwd()}; pass -f FILE`);
  const file = await loadProjectFile(path);
  const result = validateProject(file.raw);
  if (opts.json) {
    term.out(JSON.stringify(result.ok ? { ok: true, file: path, services: Object.keys(result.project.services) } : { ok: false, file: path, errors: result.errors }));
    return result.ok ? 0 : 2;
  }
  if (result.ok) {
    term.out(`${path}: valid, ${Object.keys(result.project.services).length} service(s)`);
    return 0;
  }
  term.error(`${path}: ${result.errors.length} problem(s)`);
  for (const issue of result.errors) term.out(`  ${issue.path}: expected ${issue.expected}, got ${JSON.stringify(issue.got)}`);
  return 2;
}
