// `nestor graph [-f FILE] [--format text|dot|mermaid]`: the dependency graph of a project file,
// in start order (a numbered layer per line), as Graphviz dot, or as a Mermaid flowchart.
import { SpecError, renderGraph, selectServices, validateProject } from '../spec/index.ts';
import type { GraphFormat } from '../spec/index.ts';
import type { CliContext } from './context.ts';
import { UsageError } from './errors.ts';
import { projectPath } from './validate.ts';
import { loadProjectFile } from '../config/index.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor graph`. */
export interface GraphFlags {
  file?: string;
  format?: string;
  profile?: string;
}

const FORMATS: readonly GraphFormat[] = ['text', 'dot', 'mermaid'];

/** Prints the dependency graph; exit 2 when the project file is invalid. */
export async function runGraph(flags: GraphFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const format = (flags.format ?? 'text') as GraphFormat;
  if (!FORMATS.includes(format)) throw new UsageError(`--format ${JSON.stringify(flags.format)}: expected one of ${FORMATS.join(', ')}`);
  const path = projectPath(ctx, flags.file);
  const validated = validateProject((await loadProjectFile(path)).raw);
  if (!validated.ok) throw new SpecError(validated.errors, { source: path });
  let enabled: string[] | undefined;
  if (flags.profile !== undefined) {
    const selection = selectServices(validated.project, { profile: flags.profile });
    if (!selection.ok) throw new SpecError(selection.errors, { source: path });
    enabled = selection.enabled;
  }
  const text = renderGraph(validated.project, format, enabled === undefined ? {} : { enabled });
  for (const line of text.trimEnd().split('\n')) term.out(line);
  return 0;
}
