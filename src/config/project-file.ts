// Finding and parsing the project file (`nestor.yaml`, `nestor.yml` or `nestor.json`). This
// module only parses; the `services:` block belongs to src/spec and the `config:` block to
// load.ts. A YAML syntax error comes with a line and a column; a JSON one with them when the
// engine reports a position. JSON is parsed as JSON: the YAML parser would accept `{"a": }`.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { ConfigError } from './errors.ts';

/** File names looked for in the project directory, in this order. */
export const PROJECT_FILE_NAMES = ['nestor.yaml', 'nestor.yml', 'nestor.json'] as const;

/** A line and column, both starting at 1. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** A parsed project file. */
export interface ProjectFile {
  /** Absolute path of the file. */
  path: string;
  /** The parsed document (null for an empty file). */
  raw: unknown;
  /** Where the value at a key path sits in the file, for error messages; null if absent. */
  locate(path: readonly (string | number)[]): SourcePosition | null;
}

/** The project file in `dir`, or null; two candidates at once is an error. */
export function findProjectFile(dir: string): string | null {
  const found = PROJECT_FILE_NAMES.map((name) => join(dir, name)).filter((p) => existsSync(p));
  if (found.length > 1) {
    throw new ConfigError({
      source: dir,
      path: null,
      expected: 'one project file',
      got: found.map((p) => p.slice(dir.length + 1)),
      detail: 'remove all but one, or choose one with -f',
    });
  }
  return found[0] ?? null;
}

/** Reads and parses a project file; a missing file or a syntax error is a ConfigError. */
export async function readProjectFile(path: string): Promise<ProjectFile> {
  const abs = resolve(path);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const expected = code === 'ENOENT' ? 'an existing project file' : 'a readable project file';
    throw new ConfigError({ source: abs, path: null, expected, detail: (err as Error).message }, { cause: err });
  }
  if (abs.endsWith('.json')) return parseJson(abs, text);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new ConfigError({ source: abs, path: null, expected: 'valid YAML', detail: first.message, line, column: col });
  }
  return {
    path: abs,
    raw: doc.toJS({ maxAliasCount: 100 }),
    locate: (keyPath) => locateIn(doc, lineCounter, keyPath),
  };
}

/**
 * The top-level `config:` block of a YAML project file read without parsing the rest: `none` when
 * the file has no such key, the block's value when its lines parse on their own, null when only a
 * whole parse can tell (JSON, flow style, several documents, merge keys, aliases into the block,
 * an unreadable file). Every command reads the block; at hundreds of services the whole parse
 * was most of a `nestor status`.
 */
export async function readConfigBlockFast(path: string): Promise<{ kind: 'none' } | { kind: 'block'; value: unknown } | null> {
  if (path.endsWith('.json')) return null;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  const lines = text.split(/\r?\n/);
  // Top-level lines (column 0, not comments): anything but plain `key:` keys needs the real parser.
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '' || /^[ \t#]/.test(line)) continue;
    if (!/^[A-Za-z_][\w-]*\s*:/.test(line)) return null;
    if (/^config\s*:/.test(line)) {
      if (start !== -1) return null;
      start = i;
    }
  }
  if (start === -1) return { kind: 'none' };
  let end = start + 1;
  while (end < lines.length && (lines[end] === '' || /^[ \t#]/.test(lines[end] as string))) end++;
  const doc = parseDocument(lines.slice(start, end).join('\n'), { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0 || doc.warnings.length > 0) return null;
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch {
    // An alias whose anchor is outside the block.
    return null;
  }
  if (typeof raw !== 'object' || raw === null || !('config' in raw)) return null;
  return { kind: 'block', value: (raw as { config: unknown }).config };
}

function parseJson(path: string, text: string): ProjectFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const at = /at position (\d+)/.exec((err as Error).message);
    const pos = at === null ? {} : positionOf(text, Number(at[1]));
    throw new ConfigError({ source: path, path: null, expected: 'valid JSON', detail: (err as Error).message, ...pos }, { cause: err });
  }
  // Positions are only needed for error messages about values; reading the text as YAML (a
  // superset of JSON) finds them.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return { path, raw, locate: (keyPath) => locateIn(doc, lineCounter, keyPath) };
}

function locateIn(doc: Document, lineCounter: LineCounter, keyPath: readonly (string | number)[]): SourcePosition | null {
  const node = doc.getIn(keyPath, true) as { range?: [number, number, number] } | undefined;
  const offset = node?.range?.[0];
  if (offset === undefined) return null;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function positionOf(text: string, offset: number): SourcePosition {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
