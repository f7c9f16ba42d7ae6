// Locating the nats-server binary: an explicit override (nats.binary, set by NESTOR_NATS_SERVER)
// wins and is never second-guessed; otherwise PATH, then Debian's /usr/sbin, which is not on a
// normal user's PATH.
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { NatsServerNotFoundError } from './errors.ts';

/** Where Debian's `nats-server` package installs the binary. */
export const DEFAULT_NATS_SERVER = '/usr/sbin/nats-server';

/** Absolute path of a runnable nats-server, or NatsServerNotFoundError saying how to get one. */
export async function findNatsServer(override?: string, searchPath: string = process.env.PATH ?? ''): Promise<string> {
  if (override !== undefined) {
    if (await isExecutableFile(override)) return override;
    throw new NatsServerNotFoundError([override], override);
  }
  const candidates = [
    ...searchPath
      .split(delimiter)
      .filter((dir) => dir !== '')
      .map((dir) => join(dir, 'nats-server')),
    DEFAULT_NATS_SERVER,
  ];
  for (const candidate of candidates) {
    if (await isExecutableFile(candidate)) return candidate;
  }
  throw new NatsServerNotFoundError(candidates);
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
