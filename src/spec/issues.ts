// Spec problems as data: where (a dotted path), what was expected, what was found. Zod's issues
// are translated here so every message, from the schema or from a cross-field check, reads the
// same way: `services.api.process.command: expected non-empty string, got ""`.
import type { z } from 'zod';

/** One problem in a spec. `got` is a short human summary of the offending value. */
export interface SpecIssue {
  path: string;
  expected: string;
  got: string;
}

/** A path segment: an object key or an array index. */
export type PathSegment = string | number;

/** The path shown for a problem with the whole document. */
export const ROOT_PATH = '(root)';

/** A spec (project file, service spec, selection) was rejected; `issues` lists every problem. */
export class SpecError extends Error {
  readonly issues: readonly SpecIssue[];
  /** Path of the first issue, for callers that report a single location. */
  readonly path: string;
  readonly expected: string;
  readonly got: string;

  constructor(issues: readonly SpecIssue[], options?: ErrorOptions & { source?: string }) {
    super(SpecError.format(issues, options?.source), options);
    this.name = 'SpecError';
    this.issues = issues;
    const first = issues[0] ?? { path: ROOT_PATH, expected: 'a valid spec', got: 'nothing' };
    this.path = first.path;
    this.expected = first.expected;
    this.got = first.got;
  }

  /** One line per issue, optionally prefixed with the source (a file name). */
  static format(issues: readonly SpecIssue[], source?: string): string {
    const prefix = source ? `${source}: ` : '';
    return issues.map((i) => `${prefix}${formatIssue(i)}`).join('\n');
  }
}

/** `path: expected X, got Y`. */
export function formatIssue(issue: SpecIssue): string {
  return `${issue.path}: expected ${issue.expected}, got ${issue.got}`;
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** Dotted path with `[i]` indices; keys that are not plain names are quoted: `services["a.b"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (PLAIN_KEY.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out === '' ? ROOT_PATH : out;
}

/** A short description of any value, for the `got` part of an issue. */
export function summarize(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Edit distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** The closest candidate within a small edit distance, if any. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

const TYPE_TEXT: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
};

/** Per-parse error map: the "expected" text for issues whose schema set no message of its own. */
export function expectedText(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_TEXT[issue.expected] ?? issue.expected;
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'non-empty string' : `at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `a list of at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      return `a number ${issue.inclusive === false ? '>' : '≥'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `a list of at most ${issue.maximum} items`;
      return `a number ${issue.inclusive === false ? '<' : '≤'} ${issue.maximum}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? JSON.stringify(issue.values[0])
        : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.pattern ? `text matching ${issue.pattern}` : `a valid ${issue.format}`;
    case 'unrecognized_keys':
      return 'a known field';
    case 'invalid_union':
      return 'one of the allowed forms';
    case 'not_multiple_of':
      return `a multiple of ${issue.divisor}`;
    case 'invalid_key':
    case 'invalid_element':
    case 'custom':
    case undefined:
      return 'a valid value';
  }
}

/** Known field names of the object schema at a path, used for "did you mean" hints. */
export type KnownKeys = (path: readonly PathSegment[], input: unknown) => readonly string[];

/** Translates zod issues into spec issues, under a path prefix. */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PathSegment[],
  knownKeys: KnownKeys,
): SpecIssue[] {
  const out: SpecIssue[] = [];
  for (const issue of issues) out.push(...fromZodIssue(issue, prefix, knownKeys));
  return out;
}

function fromZodIssue(issue: z.core.$ZodIssue, prefix: readonly PathSegment[], knownKeys: KnownKeys): SpecIssue[] {
  const rel = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  const path = [...prefix, ...rel];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const input = issue.input ?? {};
      const known = knownKeys(rel, input);
      return issue.keys.map((key) => ({
        path: formatPath([...path, key]),
        expected: unknownFieldText(key, known),
        got: summarize(input[key]),
      }));
    }
    case 'invalid_union': {
      if (issue.errors.length === 0) {
        // A discriminated union whose `type` matched no option: point at the discriminator.
        const input = issue.input as Record<string, unknown> | undefined;
        const got = issue.discriminator && input && typeof input === 'object' ? input[issue.discriminator] : undefined;
        return [{ path: formatPath(path), expected: issue.message, got: summarize(got) }];
      }
      // Several forms are allowed (`"5s"` or a number, an id or `{ id, condition }`). When the
      // value has the type of exactly one form, that form's own complaint is the useful one.
      const sameType = issue.errors.filter((b) => !b.some((i) => i.path.length === 0 && i.code === 'invalid_type'));
      const only = sameType.length === 1 ? sameType[0] : undefined;
      if (only) return fromZodIssues(only, path, (p, input) => knownKeys([...rel, ...p], input));
      return [{ path: formatPath(path), expected: issue.message, got: summarize(issue.input) }];
    }
    case 'invalid_key':
      return [{ path: formatPath(path), expected: issue.issues[0]?.message ?? issue.message, got: summarize(issue.input) }];
    case 'invalid_type':
    case 'too_big':
    case 'too_small':
    case 'invalid_format':
    case 'not_multiple_of':
    case 'invalid_value':
    case 'invalid_element':
    case 'custom':
      return [{ path: formatPath(path), expected: issue.message, got: summarize(issue.input) }];
  }
}

function unknownFieldText(key: string, known: readonly string[]): string {
  const hint = closest(key, known);
  if (hint) return `a known field (did you mean "${hint}"?)`;
  if (known.length === 0) return 'no field here';
  return `a known field (one of ${known.join(', ')})`;
}
