// `nestor import FILE [-o FILE] [--format F] [--force] [--json]`: converts a Procfile, docker
// compose, PM2 or process-compose file into a nestor.yaml and lists, field by field, what it
// could not convert. Without -o the YAML goes to stdout and the list to stderr.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { ImportError, importFile } from '../import/index.ts';
import type { ImportResult } from '../import/index.ts';
import { formatIssue } from '../spec/index.ts';
import type { CliContext } from './context.ts';
import { CliFailure, UsageError } from './errors.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor import`. */
export interface ImportFlags {
  output?: string;
  format?: string;
  force?: boolean;
  json?: boolean;
}

/** Converts `file`; exit 0 when the result validates, 2 on unreadable input, 1 if the result would not validate. */
export async function runImport(file: string, opts: ImportFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const source = resolve(ctx.cwd, file);
  const output = opts.output === undefined ? null : resolve(ctx.cwd, opts.output);
  if (output !== null && existsSync(output) && opts.force !== true) throw new UsageError(`${opts.output} exists; pass --force to overwrite it`);
  let result: ImportResult;
  try {
    result = await importFile(source, opts.format);
  } catch (err) {
    if (err instanceof ImportError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
  const ok = result.problems.length === 0;
  if (ok && output !== null) await writeFile(output, result.yaml);
  if (opts.json) {
    term.out(
      JSON.stringify({
        ok,
        format: result.format,
        source,
        output,
        services: result.services,
        notConverted: result.notConverted,
        problems: result.problems,
        ...(output === null && ok ? { yaml: result.yaml } : {}),
      }),
    );
  } else {
    if (ok && output === null) term.out(result.yaml.trimEnd());
    const name = relative(ctx.cwd, source) || source;
    const where = output === null ? '' : ` into ${relative(ctx.cwd, output) || output}`;
    term.info(`${name} (${result.format}): ${result.services.length} service(s) converted${ok ? where : ''}; ${result.notConverted.length} field(s) not converted${result.notConverted.length > 0 ? ':' : ''}`);
    for (const note of result.notConverted) term.info(`  ${note.path}: ${note.message}`);
  }
  if (!ok) {
    const list = result.problems.map((p) => `  ${formatIssue(p)}`).join('\n');
    throw new CliFailure(`the converted project does not validate, so nothing was written (an importer bug; please report it with the source file):\n${list}`);
  }
  return 0;
}
