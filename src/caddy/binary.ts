// Locating the caddy binary and the modules it was built with. An explicit override
// (caddy.binary, NESTOR_CADDY_BINARY) wins and is never second-guessed; otherwise PATH, then
// Debian's /usr/bin. `caddy list-modules` takes a while, so its answer is kept per binary (path,
// size and mtime: a rebuilt binary is asked again).
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { findExecutable } from '../process/index.ts';
import { parseListModules } from './modules.ts';

const run = promisify(execFile);

/** Where Debian's `caddy` package installs the binary. */
export const DEFAULT_CADDY = '/usr/bin/caddy';

/** No runnable caddy was found; the message says how to get one. */
export class CaddyNotFoundError extends Error {
  constructor(
    readonly searched: string[],
    readonly override?: string,
  ) {
    const tried = override === undefined ? `looked on PATH and at ${DEFAULT_CADDY}` : `caddy.binary (NESTOR_CADDY_BINARY) points at ${override}, which is not an executable file`;
    super(
      `caddy not found: ${tried}. ` +
        'Install it with `apt-get install -y caddy` (as root), or set NESTOR_CADDY_BINARY to the path of a caddy binary.',
    );
    this.name = 'CaddyNotFoundError';
  }
}

/** Absolute path of a runnable caddy, or CaddyNotFoundError. */
export async function findCaddy(override?: string, searchPath: string = process.env.PATH ?? ''): Promise<string> {
  const r = await findExecutable('caddy', DEFAULT_CADDY, override, searchPath);
  if (r.found !== null) return r.found;
  throw new CaddyNotFoundError(r.searched, override);
}

const moduleCache = new Map<string, Promise<ReadonlySet<string>>>();

/** The modules a caddy binary has (`caddy list-modules`), cached per binary version on disk. */
export async function caddyModules(binary: string): Promise<ReadonlySet<string>> {
  const info = await stat(binary);
  const key = `${binary}:${info.size}:${info.mtimeMs}`;
  let found = moduleCache.get(key);
  if (found === undefined) {
    found = run(binary, ['list-modules'], { timeout: 10_000 }).then(({ stdout }) => parseListModules(stdout).all);
    moduleCache.set(key, found);
    found.catch(() => moduleCache.delete(key));
  }
  return found;
}

/** A route needs a module the binary lacks: which module, for which spec path. */
export class CaddyModuleMissingError extends Error {
  constructor(
    readonly binary: string,
    readonly missing: { module: string; path: string }[],
  ) {
    super(
      missing.map((m) => `${m.path}: needs the Caddy module ${m.module}, which ${binary} does not have`).join('\n') +
        '\nList what the binary has with `caddy list-modules`; a build with more modules is described in docs/caddy.md.',
    );
    this.name = 'CaddyModuleMissingError';
  }
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
  const [version, list] = await Promise.all([run(path, ['version'], { timeout: 10_000 }), run(path, ['list-modules'], { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 })]);
  const parsed = parseListModules(list.stdout);
  return { path, version: version.stdout.trim().split(/\s+/)[0] ?? '', standard: parsed.standard, nonStandard: parsed.nonStandard, modules: parsed.all };
}
