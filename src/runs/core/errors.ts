// The registry's refusals: one error with a stable code (the bus reply's `code`, mapped to an
// HTTP status by the API) and a message for people; conflicts carry the field and both values.
// The run store reports a record it cannot hold with its own error, which becomes `too_large`.
import type { Run, RunErrorCode } from './types.ts';

/** A refused registry request. */
export class RunError extends Error {
  readonly code: RunErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: RunErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'RunError';
    this.code = code;
    this.details = details;
  }
}

/** A record the bucket cannot hold: its encoding is larger than one message may carry. */
export class RecordTooLargeError extends Error {
  readonly bytes: number;
  readonly limit: number;

  constructor(bytes: number, limit: number) {
    super(`a record of ${bytes} bytes is more than the ${limit} bytes one message may carry`);
    this.name = 'RecordTooLargeError';
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** The HTTP status of a registry error code. */
export function httpStatusOf(code: RunErrorCode): number {
  switch (code) {
    case 'invalid':
      return 400;
    case 'not_found':
      return 404;
    case 'conflict':
    case 'finished':
      return 409;
    case 'too_large':
      return 413;
    case 'internal':
      return 500;
  }
}

/** The refusal of an operation on a run that does not exist. */
export function runNotFound(id: string): RunError {
  return new RunError('not_found', `no run ${JSON.stringify(id)}`, { field: 'id', sent: id });
}

/** The run an operation applies to, or the not_found refusal. */
export function requireRun(run: Run | null, id: string): Run {
  if (run === null) throw runNotFound(id);
  return run;
}

/** The refusal of a write the bucket cannot hold; `run` is the record as stored (what the refused operation would add is not counted). */
export function recordTooLarge(run: Run, err: RecordTooLargeError): RunError {
  const open = run.commands.filter((c) => c.acknowledgedAt === null).length;
  const kib = (n: number): number => Math.ceil(n / 1024);
  return new RunError(
    'too_large',
    `run ${run.id}: its record would be ${kib(err.bytes)} KiB, more than the ${kib(err.limit)} KiB one message of the run bucket may carry; it holds ${open} unacknowledged commands: let the job fetch and acknowledge them, or send smaller params`,
    { field: 'record', sent: err.bytes, limit: err.limit },
  );
}
