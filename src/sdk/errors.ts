// The SDK's one error class. `reason` is the field to branch on; the message is for people.

/** Why an SDK call failed. */
export const SDK_ERROR_REASONS = ['missing-env', 'invalid-spec', 'connect-failed', 'publish-failed', 'run-request'] as const;
/** One of SDK_ERROR_REASONS. */
export type SdkErrorReason = (typeof SDK_ERROR_REASONS)[number];

/** An SDK call could not do its job; `cause` keeps the underlying error when there is one. */
export class SdkError extends Error {
  constructor(
    readonly reason: SdkErrorReason,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`nestor sdk: ${reason}: ${detail}`, options);
    this.name = 'SdkError';
  }
}
