// The one error of the registry: a stable code (the bus reply's `code`, mapped to an HTTP
// status by the API) and a message for people. Conflicts carry the field and both values.
import type { RunErrorCode } from './types.ts';

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
