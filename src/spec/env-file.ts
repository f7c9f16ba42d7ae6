// The env-file format (`.env`, `envFile`), read the way docker compose reads it: KEY=VALUE lines,
// `#` comments, an optional `export `, single quotes literal, double quotes with escapes, and
// ${VAR} / ${VAR:-default} / ${VAR-default} / $VAR expansion in unquoted and double-quoted values.
// dotenv's parser would do the quoting but silently skips lines it does not understand and
// forgets which quotes a value had (which decides whether it expands), so this parser is our own.
// Pure: the caller reads the file and supplies the environment earlier layers built.
import { ENV_NAME_PATTERN } from './schema.ts';

/** One problem of an env file, at a 1-based line, worded like a spec issue. */
export interface EnvFileProblem {
  line: number;
  expected: string;
  got: string;
}

/** Variables of one env file in file order, or its problems. */
export type EnvFileResult = { ok: true; entries: [string, string][] } | { ok: false; problems: EnvFileProblem[] };

/** Looks a variable up in the layers below the file; undefined when unset. */
export type EnvLookup = (name: string) => string | undefined;

/** A `${...}` that cannot be expanded. */
export class ExpansionError extends Error {
  constructor(
    readonly expected: string,
    readonly got: string,
  ) {
    super(`expected ${expected}, got ${got}`);
  }
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', $: '$' };

/** Parses an env file; later lines see earlier keys of the same file, then `lookup`. */
export function parseEnvFile(text: string, lookup: EnvLookup): EnvFileResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const own = new Map<string, string>();
  const entries: [string, string][] = [];
  const problems: EnvFileProblem[] = [];
  const find: EnvLookup = (name) => (own.has(name) ? own.get(name) : lookup(name));
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const body = line.startsWith('export ') ? line.slice('export '.length).trimStart() : line;
    const eq = body.indexOf('=');
    const key = (eq === -1 ? body : body.slice(0, eq)).trim();
    if (!ENV_NAME_PATTERN.test(key)) {
      problems.push({ line: lineNo, ...keyProblem(key, eq === -1) });
      continue;
    }
    if (eq === -1) {
      // A bare KEY passes the variable through from the environment, as docker's --env-file does.
      const inherited = lookup(key);
      if (inherited !== undefined) set(key, inherited);
      continue;
    }
    const raw = body.slice(eq + 1).trimStart();
    const quote = raw[0];
    try {
      if (quote === "'" || quote === '"') {
        const closed = closingQuote(lines, i, raw.slice(1), quote);
        if (closed === null) {
          problems.push({ line: lineNo, expected: `a closing ${quote === '"' ? 'double' : 'single'} quote for ${key}`, got: 'none until the end of the file' });
          break;
        }
        const after = closed.rest.trim();
        if (after !== '' && !after.startsWith('#')) {
          problems.push({ line: closed.endLine + 1, expected: `nothing but a # comment after the closing quote of ${key}`, got: 'more text' });
        } else {
          set(key, quote === "'" ? closed.inner : expandText(closed.inner, find, true));
        }
        i = closed.endLine;
        continue;
      }
      set(key, expandText(stripComment(raw), find, false));
    } catch (err) {
      if (!(err instanceof ExpansionError)) throw err;
      problems.push({ line: lineNo, expected: `${err.expected} in ${key}`, got: err.got });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, entries };

  function set(key: string, value: string): void {
    own.set(key, value);
    const at = entries.findIndex(([k]) => k === key);
    if (at === -1) entries.push([key, value]);
    else entries[at] = [key, value];
  }
}

// The key is the text before "="; only its name part is shown, never what follows it (a
// malformed `API_TOKEN abc123` must not print the token).
function keyProblem(key: string, noEquals: boolean): { expected: string; got: string } {
  const shown = JSON.stringify(key.split(/\s/)[0]?.slice(0, 40) ?? '');
  if (noEquals && /\s/.test(key)) return { expected: 'KEY=VALUE', got: `a line starting ${shown} with no "="` };
  if (key === '') return { expected: 'KEY=VALUE', got: 'a line with no name before "="' };
  if (/\s/.test(key)) return { expected: 'a variable name before "="', got: `${shown} followed by a space` };
  return { expected: 'a variable name (letters, digits, "_", not starting with a digit)', got: shown };
}

function stripComment(raw: string): string {
  const hash = raw.search(/\s#/);
  return (hash === -1 ? raw : raw.slice(0, hash)).trim();
}

// Finds the quote closing a value that starts on line `start` (`first` is its text after the
// opening quote), across lines: quoted values may span several. A backslash escapes a double
// quote; single quotes have no escapes.
function closingQuote(lines: string[], start: number, first: string, quote: string): { inner: string; rest: string; endLine: number } | null {
  let text = first;
  let inner = '';
  for (let n = start; n < lines.length; n++) {
    if (n > start) {
      inner += '\n';
      text = lines[n] ?? '';
    }
    for (let j = 0; j < text.length; j++) {
      const c = text[j];
      if (quote === '"' && c === '\\' && j + 1 < text.length) {
        inner += c + text[j + 1];
        j++;
      } else if (c === quote) {
        return { inner, rest: text.slice(j + 1), endLine: n };
      } else {
        inner += c;
      }
    }
  }
  return null;
}

/**
 * Expands $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:+alt}, ${VAR+alt}, ${VAR:?message}
 * and ${VAR?message} as docker compose does; with `escapes` (double quotes) also \n \t \r \\ \" \$.
 * Throws ExpansionError for an unterminated or malformed ${...} and for a failed `?`.
 */
export function expandText(text: string, lookup: EnvLookup, escapes: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (escapes && c === '\\' && i + 1 < text.length) {
      const next = text[i + 1] as string;
      out += ESCAPES[next] ?? c + next;
      i++;
    } else if (c === '$' && text[i + 1] === '{') {
      const end = matchingBrace(text, i + 2);
      if (end === -1) throw new ExpansionError('"}" closing "${"', 'none');
      out += substitute(text.slice(i + 2, end), lookup, escapes);
      i = end;
    } else if (c === '$' && NAME_START.test(text[i + 1] ?? '')) {
      let j = i + 1;
      while (j < text.length && NAME_CHAR.test(text[j] as string)) j++;
      out += lookup(text.slice(i + 1, j)) ?? '';
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

function matchingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '$' && text[j + 1] === '{') {
      depth++;
      j++;
    } else if (text[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function substitute(inside: string, lookup: EnvLookup, escapes: boolean): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(inside);
  if (m === null) throw new ExpansionError('${NAME}, ${NAME:-default} or ${NAME-default}', JSON.stringify(`\${${inside.slice(0, 40)}}`));
  const [, name = '', op, word = ''] = m;
  const value = lookup(name);
  const set = value !== undefined && (op === undefined || !op.startsWith(':') || value !== '');
  switch (op) {
    case undefined:
      return value ?? '';
    case ':-':
    case '-':
      return set ? (value as string) : expandText(word, lookup, escapes);
    case ':+':
    case '+':
      return set ? expandText(word, lookup, escapes) : '';
    default: {
      if (set) return value as string;
      const why = expandText(word, lookup, escapes);
      throw new ExpansionError(`${name} to be set${op === ':?' ? ' and not empty' : ''}${why === '' ? '' : ` (${why})`}`, value === undefined ? 'unset' : 'empty');
    }
  }
}
