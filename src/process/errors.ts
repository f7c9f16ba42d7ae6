// Named errors of the runner. Callers branch with instanceof and read the fields; the message
// is for humans and is built here so it reads the same everywhere.

/** What a SpawnError knows about a bare command that no PATH directory holds. */
export interface NotOnPath {
  /** The service whose command it is, named in the hint of the message. */
  service: string;
  /** The PATH value searched, as given to the process; null when it had none (the system default was searched). */
  path: string | null;
}

/** A service process could not be started (missing command, permission, bad cwd). */
export class SpawnError extends Error {
  /** The PATH searched when a bare command was not found on it, else null. */
  readonly searchPath: string | null;

  constructor(
    readonly command: string,
    readonly cwd: string,
    /** OS error code such as ENOENT or EACCES, or null when the reason is not an OS error. */
    readonly code: string | null,
    readonly reason: string,
    options?: ErrorOptions & { notOnPath?: NotOnPath },
  ) {
    // A PATH runs to hundreds of characters and this message is repeated on every retry, in
    // events and feeds: it says how many directories were searched, and the PATH itself is kept
    // in searchPath for whoever asks (`nestor status ID --verbose`).
    super(
      options?.notOnPath === undefined
        ? `cannot start ${JSON.stringify(command)} in ${JSON.stringify(cwd)}: ${reason}`
        : notOnPathMessage(command, options.notOnPath),
      options,
    );
    this.name = 'SpawnError';
    this.searchPath = options?.notOnPath?.path ?? null;
  }
}

/** The directories a PATH value names, in search order (empty entries, which mean ".", dropped). */
export function pathDirectories(path: string): string[] {
  return path.split(':').filter((d) => d !== '');
}

const MAX_COMMAND_CHARS = 80;

function notOnPathMessage(command: string, where: NotOnPath): string {
  const shown = command.length > MAX_COMMAND_CHARS ? `${command.slice(0, MAX_COMMAND_CHARS)}…` : command;
  const n = pathDirectories(where.path ?? '').length;
  if (where.path === null) return `cannot start ${JSON.stringify(shown)}: not found (no PATH was set; the system default was searched)`;
  if (n === 0) return `cannot start ${JSON.stringify(shown)}: not found, PATH is empty`;
  return `cannot start ${JSON.stringify(shown)}: not found on PATH (${n} director${n === 1 ? 'y' : 'ies'} searched; \`nestor status ${where.service} --verbose\` lists them)`;
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
