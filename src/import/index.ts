// Public entry of the import module (a shell: reads files, runs PM2 ecosystem scripts): converts
// a Procfile, docker compose, PM2 or process-compose file into a nestor.yaml that validates.
import { basename } from 'node:path';
import { validateProject } from '../spec/index.ts';
import type { SpecIssue } from '../spec/index.ts';
import { convertCompose } from './compose.ts';
import { readSource } from './load.ts';
import { convertPm2 } from './pm2.ts';
import { convertProcessCompose } from './process-compose.ts';
import { convertProcfile } from './procfile.ts';
import type { Conversion, ImportFormat, ImportNote } from './types.ts';
import { projectOf, writeYaml } from './writer.ts';

export { IMPORT_FORMATS, ImportError } from './types.ts';
export type { Conversion, ImportFormat, ImportNote, ImportComment } from './types.ts';

/** A converted file. */
export interface ImportResult {
  format: ImportFormat;
  /** The commented nestor.yaml. */
  yaml: string;
  /** The project it holds. */
  project: Record<string, unknown>;
  /** Service ids written. */
  services: string[];
  /** Source fields not converted, field by field. */
  notConverted: ImportNote[];
  /** What `nestor validate` would report on the result (empty when it validates). */
  problems: SpecIssue[];
}

/** Converts a parsed source of a known format. */
export function convert(format: ImportFormat, value: unknown): Conversion {
  switch (format) {
    case 'procfile':
      return convertProcfile(String(value));
    case 'compose':
      return convertCompose(value);
    case 'pm2':
      return convertPm2(value);
    case 'process-compose':
      return convertProcessCompose(value);
  }
}

/** Reads and converts the file at `path` (format from `format`, else from its name or content). */
export async function importFile(path: string, format?: string): Promise<ImportResult> {
  const source = await readSource(path, format);
  const conv = convert(source.format, source.value);
  const project = projectOf(conv);
  const result = validateProject(project);
  return {
    format: conv.format,
    yaml: writeYaml(conv, basename(path)),
    project,
    services: Object.keys(conv.services),
    notConverted: conv.notes,
    problems: result.ok ? [] : result.errors,
  };
}
