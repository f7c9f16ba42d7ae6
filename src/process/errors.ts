// Named errors of the runner. Callers branch with instanceof and read the fields; the message
// is for humans and is built here so it reads the same everywhere.

/** A service process could not be started (missing command, permission, bad cwd). */
export class SpawnError extends Error {
  constructor(
    readonly command: string,
    readonly cwd: string,
    /** OS error code such as ENOENT or EACCES, or null when the reason is not an OS error. */
    readonly code: string | null,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`cannot start ${JSON.stringify(command)} in ${JSON.stringify(cwd)}: ${reason}`, options);
    this.name = 'SpawnError';
  }
}

/** A path would land outside every allowed root once `..` and symlinks are resolved. */
export class PathEscapeError extends Error {
  constructor(
    readonly path: string,
    /** Where the path really points after resolving `..` and symlinks. */
    readonly resolved: string,
    readonly roots: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `${JSON.stringify(path)} resolves to ${JSON.stringify(resolved)}, outside the allowed roots ${roots
        .map((r) => JSON.stringify(r))
        .join(', ')}`,
      options,
    );
    this.name = 'PathEscapeError';
  }
}

/** An ensure action failed for a reason other than a path escape (missing template, I/O). */
export class EnsureError extends Error {
  constructor(
    readonly action: 'mkdir' | 'template',
    readonly target: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`ensure ${action} ${JSON.stringify(target)} failed: ${reason}`, options);
    this.name = 'EnsureError';
  }
}

/** A port could not be reclaimed: the holder survived, or the port stayed taken. */
export class PortReclaimError extends Error {
  constructor(
    readonly port: number,
    readonly pid: number,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`cannot reclaim port ${port} from pid ${pid}: ${reason}`, options);
    this.name = 'PortReclaimError';
  }
}

/** Node's system errors carry a string `code`; everything else has none. */
export function errnoCode(err: unknown): string | null {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return null;
}
