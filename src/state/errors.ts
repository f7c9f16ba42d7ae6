// Errors of the state module. The reducer itself never throws; only restoring a snapshot from
// outside data can fail.

/** A stored snapshot cannot be restored (wrong version or shape); rebuild from the full log instead. */
export class SnapshotError extends Error {
  constructor(
    readonly reason: 'version' | 'shape',
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`snapshot rejected (${reason}): ${detail}`, options);
    this.name = 'SnapshotError';
  }
}
