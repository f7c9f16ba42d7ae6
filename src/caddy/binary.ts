// Locating the caddy binary and asking it which modules it has. Found like nats-server: an
// explicit caddy.binary (NESTOR_CADDY) wins and is never second-guessed; otherwise PATH, then
// /usr/bin, where Debian's `caddy` package installs it.
import { execFile } from 'node:child_process';
import { access, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { parseListModules } from './modules.ts';

const exec = promisify(execFile);

/** Where Debian's `caddy` package installs the binary. */
export const DEFAULT_CADDY = '/usr/bin/caddy';

/** No runnable caddy binary where we looked; the message says how to get one. */
export class CaddyNotFoundError extends Error {
  /** Candidates that were tried, in order. */
  readonly searched: string[];

  constructor(searched: string[], override?: string) {
    const tried = override === undefined ? `looked on PATH and at ${DEFAULT_CADDY}` : `caddy.binary (NESTOR_CADDY, --caddy) points at ${override}, which is not an executable file`;
    super(`caddy not found: ${tried}. Install it with \`apt-get install -y caddy\` (as root), or set NESTOR_CADDY to the path of a caddy binary.`);
    this.name = 'CaddyNotFoundError';
    this.searched = searched;
  }
}

/** Absolute path of a runnable caddy, or CaddyNotFoundError saying how to get one. */
export async function findCaddy(override?: string, searchPath: string = process.env.PATH ?? ''): Promise<string> {
  if (override !== undefined) {
    if (await isExecutableFile(override)) return override;
    throw new CaddyNotFoundError([override], override);
  }
  const candidates = [
    ...searchPath
      .split(delimiter)
      .filter((dir) => dir !== '')
      .map((dir) => join(dir, 'caddy')),
    DEFAULT_CADDY,
  ];
  for (const candidate of candidates) {
    if (await isExecutableFile(candidate)) return candidate;
  }
  throw new CaddyNotFoundError(candidates);
}

/** What a caddy binary is: its version line and its module ids. */
export interface CaddyBinaryInfo {
  path: string;
  version: string;
  standard: string[];
  nonStandard: string[];
  modules: Set<string>;
}

/** Runs `caddy version` and `caddy list-modules` on a binary. */
export async function inspectCaddy(path: string): Promise<CaddyBinaryInfo> {
  const [version, list] = await Promise.all([exec(path, ['version'], { timeout: 10_000 }), exec(path, ['list-modules'], { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 })]);
  const parsed = parseListModules(list.stdout);
  return { path, version: version.stdout.trim().split(/\s+/)[0] ?? '', standard: parsed.standard, nonStandard: parsed.nonStandard, modules: parsed.all };
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
