// Locating the nats-server binary: an explicit override (nats.binary, set by NESTOR_NATS_SERVER)
// wins and is never second-guessed; otherwise PATH, then Debian's /usr/sbin, which is not on a
// normal user's PATH.
import { findExecutable } from '../process/index.ts';
import { NatsServerNotFoundError } from './errors.ts';

/** Where Debian's `nats-server` package installs the binary. */
export const DEFAULT_NATS_SERVER = '/usr/sbin/nats-server';

/** Absolute path of a runnable nats-server, or NatsServerNotFoundError saying how to get one. */
export async function findNatsServer(override?: string, searchPath: string = process.env.PATH ?? ''): Promise<string> {
  const r = await findExecutable('nats-server', DEFAULT_NATS_SERVER, override, searchPath);
  if (r.found !== null) return r.found;
  throw new NatsServerNotFoundError(r.searched, override);
}
