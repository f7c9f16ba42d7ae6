// Reading a source file: its format (from --format, the file name, or the content) and its
// value. A PM2 ecosystem .js/.cjs/.mjs file is code: it is run in a child node process that
// prints what it exports, so its side effects and a process.exit stay out of nestor.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { mapOf } from './common.ts';
import { IMPORT_FORMATS, ImportError } from './types.ts';
import type { ImportFormat } from './types.ts';

const exec = promisify(execFile);

/** A read source: its format and parsed value (the text for a Procfile). */
export interface Source {
  format: ImportFormat;
  value: unknown;
}

// Prints the export of the ecosystem file as JSON (functions and undefined are dropped). It is
// required first, as PM2 does; an ES module (`export default`) is imported instead.
const LOADER = `
const file = process.argv[1];
let loaded;
try { loaded = Promise.resolve(require(file)); }
catch (err) { if (err.code !== 'ERR_REQUIRE_ESM') throw err; loaded = import(require('node:url').pathToFileURL(file).href).then((m) => m.default ?? m); }
loaded.then((v) => process.stdout.write(JSON.stringify(v && v.default && !v.apps ? v.default : v)));
`;

/** Reads `path` as `format`, or as the format its name or content shows. */
export async function readSource(path: string, format?: string): Promise<Source> {
  if (format !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(format)) {
    throw new ImportError(`unknown format ${JSON.stringify(format)}; expected one of ${IMPORT_FORMATS.join(', ')}`);
  }
  const ext = extname(path).toLowerCase();
  if (['.js', '.cjs', '.mjs'].includes(ext)) {
    if (format !== undefined && format !== 'pm2') throw new ImportError(`${basename(path)}: a ${ext} file can only be a PM2 ecosystem file`);
    return { format: 'pm2', value: await loadScript(path) };
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ImportError(`${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  const byName = formatFromName(path);
  if (format === 'procfile' || (format === undefined && byName === 'procfile')) return { format: 'procfile', value: text };
  let value: unknown;
  try {
    value = ext === '.json' ? JSON.parse(text) : parse(text);
  } catch (err) {
    throw new ImportError(`${path}: not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0] ?? ''}`, { cause: err });
  }
  const detected = (format as ImportFormat | undefined) ?? byName ?? formatFromContent(value);
  if (detected === null) {
    throw new ImportError(`${path}: cannot tell the format (no \`services\`, \`processes\` or \`apps\`, and not a Procfile); pass --format ${IMPORT_FORMATS.join('|')}`);
  }
  return { format: detected, value: detected === 'procfile' ? text : value };
}

function formatFromName(path: string): ImportFormat | null {
  const name = basename(path).toLowerCase();
  if (/^procfile(\.|$)/.test(name)) return 'procfile';
  if (name.includes('process-compose')) return 'process-compose';
  if (/^(docker-)?compose([.-].*)?\.ya?ml$/.test(name)) return 'compose';
  if (/ecosystem|pm2/.test(name)) return 'pm2';
  return null;
}

function formatFromContent(value: unknown): ImportFormat | null {
  const root = mapOf(value);
  if (root === null) return Array.isArray(value) && value.some((a) => mapOf(a)?.script !== undefined) ? 'pm2' : null;
  if (mapOf(root.processes) !== null) return 'process-compose';
  if (mapOf(root.services) !== null) return 'compose';
  if (Array.isArray(root.apps)) return 'pm2';
  // `web: node server.js` is YAML too: a map of command lines.
  const values = Object.values(root);
  return values.length > 0 && values.every((v) => typeof v === 'string') ? 'procfile' : null;
}

async function loadScript(path: string): Promise<unknown> {
  try {
    const { stdout } = await exec(process.execPath, ['-e', LOADER, path], { timeout: 15_000, maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout) as unknown;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const why = (e.stderr ?? '').split('\n').find((l) => /Error|error:/.test(l)) ?? e.message.split('\n')[0];
    throw new ImportError(`${path}: loading the ecosystem file failed: ${why}`, { cause: err });
  }
}
