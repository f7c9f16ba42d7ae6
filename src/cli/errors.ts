// The only place errors become exit codes (R10): 2 for usage and invalid input, 1 otherwise.
import { ConfigError } from '../config/index.ts';
import { SpecError } from '../spec/index.ts';

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

/** The exit code an error maps to. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || err instanceof SpecError || err instanceof ConfigError) return EXIT.usage;
  return EXIT.failure;
}

/** One clear message for the user; the cause chain with --verbose. */
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
  }
  return text;
}
