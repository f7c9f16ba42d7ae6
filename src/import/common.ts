// Helpers every converter shares: command lines, service ids, durations, environments and the
// escaping that keeps source text from being read as Nestor placeholders.
import { ENV_NAME_PATTERN } from '../spec/schema.ts';
import { ID_PATTERN } from '../events/index.ts';
import type { Draft } from './types.ts';

/**
 * Doubles the `{` of anything shaped like a placeholder (`{name}`, `${VAR}`), so the runner
 * gives the text back as written instead of looking it up.
 */
export function escapeBraces(text: string): string {
  return text.replace(/\{(?=[A-Za-z][A-Za-z0-9._-]*\})/g, '{{');
}

/** Splits a command line into words as a POSIX shell would (quotes, backslashes); null if a quote is left open. */
export function splitWords(line: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word = (word ?? '') + c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) word = (word ?? '') + (line[++i] as string);
      else word = (word ?? '') + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + (line[++i] as string);
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote !== null) return null;
  if (word !== null) words.push(word);
  return words;
}

// Outside single quotes these make the shell do something a plain argv cannot: expansion,
// pipes, lists, redirections, globs, subshells, or a leading `VAR=value`.
const SHELL_SYNTAX = /[$`|&;<>()*?~[\]!#]|^\s*[A-Za-z_][A-Za-z0-9_]*=/;

/** True when running `line` takes a shell (expansion, pipes, globs…), not just word splitting. */
export function needsShell(line: string): boolean {
  // Quoted text is literal to the shell, except `$`, backquotes and backslashes inside "…".
  const unquoted = line.replace(/'[^']*'/g, "''").replace(/"[^"\\$`]*"/g, '""');
  return SHELL_SYNTAX.test(unquoted);
}

/** How a command line becomes `process`: an argv when it needs no shell, else `shell: true`. */
export function commandOf(line: string): { command: string; args?: string[]; shell?: true } {
  const words = needsShell(line) ? null : splitWords(line);
  if (words === null || words.length === 0) return { command: line.trim(), shell: true };
  const [command, ...args] = words as [string, ...string[]];
  return { command, args };
}

/** Turns a source name into a service id, unique in the draft, and reports a rename. */
export function serviceId(draft: Draft, name: string, where: string): string {
  let id = name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64) || 'service';
  if (!ID_PATTERN.test(id)) id = `s-${id}`.slice(0, 64);
  const base = id;
  for (let n = 2; Object.hasOwn(draft.services, id); n++) id = `${base.slice(0, 60)}-${n}`;
  if (id !== name) draft.note(where, `renamed to service id "${id}" (ids: letters, digits, "-", "_", unique)`);
  return id;
}

/** A number of milliseconds as a Nestor duration ("5s", "250ms"). */
export function duration(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms)}ms`;
}

const GO_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** A Go-style duration as docker compose writes it ("1m30s", "500ms") in milliseconds; null if malformed. */
export function goDuration(text: unknown): number | null {
  if (typeof text === 'number') return text / 1_000_000; // compose reads a bare number as nanoseconds
  if (typeof text !== 'string' || !/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(text)) return null;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(n) * (GO_UNITS[unit as string] ?? 0);
  return total;
}

/** A plain object (a YAML/JSON map), or null. */
export function mapOf(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * An environment as a map, from the list (`["A=1"]`) or the map form. Entries without a value
 * (`- A`, `A:` in a map) take the variable from the host, which the process inherits from Nestor
 * anyway: they are reported, not written. `value` converts each written value.
 */
export function envOf(draft: Draft, raw: unknown, where: string, value: (v: string) => string = escapeBraces): Record<string, string | number | boolean> {
  const env: Record<string, string | number | boolean> = {};
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((item) => {
        const text = String(item);
        const eq = text.indexOf('=');
        return eq < 0 ? [text, null] : [text.slice(0, eq), text.slice(eq + 1)];
      })
    : Object.entries(mapOf(raw) ?? {});
  if (raw !== undefined && !Array.isArray(raw) && mapOf(raw) === null) draft.note(where, 'expected a list of NAME=value or a map; not converted');
  for (const [name, v] of entries) {
    if (!ENV_NAME_PATTERN.test(name)) draft.note(`${where}.${name}`, 'not a portable variable name (letters, digits, "_"); not converted');
    else if (v === null || v === undefined) draft.note(`${where}.${name}`, 'no value: taken from the host environment, which the process inherits from nestor; not written');
    else env[name] = typeof v === 'string' ? value(v) : typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
  }
  return env;
}

/** Reports every key of `source` that a converter did not handle. */
export function noteUnknown(draft: Draft, source: Record<string, unknown>, handled: readonly string[], where: string): void {
  for (const key of Object.keys(source)) if (!handled.includes(key)) draft.note(`${where}.${key}`, 'no equivalent; not converted');
}
