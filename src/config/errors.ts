// The one error class of the config module. Every problem names where the bad value came from
// (a file with line and column, an environment variable, a flag) and what was expected, so the
// CLI can print it as is and exit 2.

/** Where a bad value came from and what was expected instead. */
export interface ConfigProblem {
  /** A file path, an environment variable name, a flag, or `config` for combined settings. */
  source: string;
  /** Dotted path of the setting (`nats.port`), or null when the whole source is at fault. */
  path: string | null;
  expected: string;
  /** The offending value, when there is one. */
  got?: unknown;
  /** More detail from a parser, appended to the message. */
  detail?: string;
  line?: number;
  column?: number;
}

/** An invalid setting, project file or runtime info file. */
export class ConfigError extends Error implements ConfigProblem {
  readonly source: string;
  readonly path: string | null;
  readonly expected: string;
  readonly got?: unknown;
  readonly detail?: string;
  readonly line?: number;
  readonly column?: number;

  constructor(problem: ConfigProblem, options?: ErrorOptions) {
    super(formatProblem(problem), options);
    this.name = 'ConfigError';
    this.source = problem.source;
    this.path = problem.path;
    this.expected = problem.expected;
    if ('got' in problem) this.got = problem.got;
    if (problem.detail !== undefined) this.detail = problem.detail;
    if (problem.line !== undefined) this.line = problem.line;
    if (problem.column !== undefined) this.column = problem.column;
  }
}

function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.source : `${p.source}:${p.line}:${p.column ?? 1}`;
  const path = p.path === null ? '' : `${p.path}: `;
  const got = 'got' in p ? `, got ${describe(p.got)}` : '';
  const detail = p.detail === undefined ? '' : ` (${p.detail})`;
  return `${where}: ${path}expected ${p.expected}${got}${detail}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
