// Locating a binary the node runs (nats-server, caddy): an explicit override wins and is never
// second-guessed; otherwise each PATH directory, then where the Debian package installs it
// (which may not be on a normal user's PATH, as /usr/sbin is not).
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where an executable was found, or every candidate tried when none was. */
export type ExecutableSearch = { found: string } | { found: null; searched: string[] };

/** Looks for `name`: the override alone when given, else PATH then `fallback`. */
export async function findExecutable(name: string, fallback: string, override: string | undefined, searchPath: string): Promise<ExecutableSearch> {
  const candidates =
    override !== undefined
      ? [override]
      : [
          ...searchPath
            .split(delimiter)
            .filter((dir) => dir !== '')
            .map((dir) => join(dir, name)),
          fallback,
        ];
  for (const candidate of candidates) if (await isExecutableFile(candidate)) return { found: candidate };
  return { found: null, searched: candidates };
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
