// The dep installer's one error class; branch on `reason`, never on the message.

/** Why a dep could not be ensured. */
export const DEP_ERROR_REASONS = [
  'unsupported-source',
  'invalid-entry',
  'build-failed',
  'io',
  'download-failed',
  'checksum-mismatch',
  'missing-binary',
  'needs-root',
  'install-failed',
] as const;
/** One of DEP_ERROR_REASONS. */
export type DepErrorReason = (typeof DEP_ERROR_REASONS)[number];

/** A dep entry could not be built or installed. `dep` is the entry's name. */
export class DepError extends Error {
  constructor(
    readonly dep: string,
    readonly reason: DepErrorReason,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`dep ${JSON.stringify(dep)}: ${reason}: ${detail}`, options);
    this.name = 'DepError';
  }
}
