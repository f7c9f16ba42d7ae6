// The only place errors become exit codes, so every verb exits alike: 2 for usage and invalid
// input, 1 otherwise.
// Light entries: every invocation loads this file, and the errors need no schema.
import { ConfigError } from '../config/light.ts';
import { SpecError } from '../spec/light.ts';

/** Exit codes of every verb. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A wrong flag, argument or value given on the command line. */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** A failure the user can act on, with its message already written for them. */
export class CliFailure extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliFailure';
  }
}

/** No running instance was found where the verb looked. */
export class NotRunningError extends Error {
  /** The project folder (or the NESTOR_URL) that was checked. */
  readonly where: string;

  constructor(where: string, detail = '', options?: ErrorOptions) {
    super(`Nestor is not running in ${where}${detail}; start it with \`nestor up\``, options);
    this.name = 'NotRunningError';
    this.where = where;
  }
}

/** The controller refused a command (its reply code is kept). */
export class CommandRefusedError extends Error {
  readonly verb: string;
  readonly service: string;
  /** The controller's reply code: unknown-service, invalid-transition, shutting-down, bad-request, internal. */
  readonly code: string;

  constructor(verb: string, service: string, code: string, message: string) {
    super(`${verb} ${service} refused: ${message}${HINTS[code] ?? ''}`);
    this.name = 'CommandRefusedError';
    this.verb = verb;
    this.service = service;
    this.code = code;
  }
}

const HINTS: Record<string, string> = {
  'unknown-service': '; `nestor list` shows the registered services',
  'invalid-transition': '; `nestor status` shows its current state',
  'shutting-down': '; the stack is stopping',
};

// Reply codes that mean the request itself was wrong (exit 2), not that the stack refused it.
const INPUT_CODES = new Set(['unknown-service', 'bad-request']);

/** The exit code an error maps to. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || err instanceof SpecError || err instanceof ConfigError) return EXIT.usage;
  if (err instanceof CommandRefusedError && INPUT_CODES.has(err.code)) return EXIT.usage;
  return EXIT.failure;
}

/** One clear message for the user; the stack and the cause chain with --verbose. */
export function describeError(err: unknown, verbose: boolean): string {
  if (!(err instanceof Error)) return String(err);
  let text = err.message;
  if (verbose) {
    if (err.stack) text = err.stack;
    let cause = err.cause;
    while (cause instanceof Error) {
      text += `\ncaused by: ${cause.stack ?? cause.message}`;
      cause = cause.cause;
    }
  } else if (!KNOWN.some((k) => err instanceof k)) {
    // An error we did not word ourselves: say where it came from and how to see more.
    text = `${err.message} (run with --verbose for details)`;
  }
  return text;
}

const KNOWN = [UsageError, CliFailure, NotRunningError, CommandRefusedError, SpecError, ConfigError];
