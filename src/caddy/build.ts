// `nestor caddy build` without the CLI: writes the generated main.go and go.mod into a build
// directory and runs a standard Go build there (`go mod tidy`, then `go build`; no xcaddy, whose
// only job is what the generator does). Without a Go toolchain the sources stay in place and
// the error says what is missing, so they can be built elsewhere.
import { execFile } from 'node:child_process';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { generateBuildSources } from './modules.ts';
import type { CaddyModule } from './modules.ts';

const exec = promisify(execFile);

/** Options of {@link buildCaddy}. */
export interface BuildCaddyOptions {
  /** Where the sources (and the binary) go; created when missing. */
  dir: string;
  modules: readonly CaddyModule[];
  caddyVersion?: string;
  /** PATH to look for `go` on; the process's by default. */
  searchPath?: string;
  /** Environment of the go commands; the process's by default. */
  env?: NodeJS.ProcessEnv;
  /** Called before each slow step, for progress on a terminal. */
  onStep?: (step: string) => void;
}

/** The result of a build: the sources written and the binary made. */
export interface BuildResult {
  dir: string;
  files: string[];
  binary: string;
}

/** Written sources that could not be built because a Go toolchain is missing. */
export class GoMissingError extends Error {
  readonly dir: string;

  constructor(dir: string) {
    super(
      `no Go toolchain: \`go\` is not on PATH, so the Caddy sources were generated but not built. They are in ${dir} (main.go, go.mod); ` +
        `install Go 1.24 or newer (https://go.dev/dl/) and run \`go mod tidy && go build -o caddy\` there, or run \`nestor caddy build\` again.`,
    );
    this.name = 'GoMissingError';
    this.dir = dir;
  }
}

/** A go command that failed; its output is kept in the message. */
export class GoBuildError extends Error {
  constructor(step: string, dir: string, output: string, options?: ErrorOptions) {
    super(`\`${step}\` failed in ${dir} (the generated sources are left there; Go needs network access to the module proxy, or a filled module cache):\n${output.trim()}`, options);
    this.name = 'GoBuildError';
  }
}

/** Writes the sources into `dir`, then builds `dir/caddy` when Go is available. */
export async function buildCaddy(opts: BuildCaddyOptions): Promise<BuildResult> {
  const sources = generateBuildSources(opts.modules, opts.caddyVersion);
  await mkdir(opts.dir, { recursive: true });
  const files: string[] = [];
  for (const [name, text] of Object.entries(sources)) {
    await writeFile(join(opts.dir, name), text);
    files.push(join(opts.dir, name));
  }
  const go = await findGo(opts.searchPath ?? process.env.PATH ?? '');
  if (go === null) throw new GoMissingError(opts.dir);
  const binary = join(opts.dir, 'caddy');
  for (const args of [['mod', 'tidy'], ['build', '-o', binary, '.']]) {
    const step = `go ${args.join(' ')}`;
    opts.onStep?.(step);
    try {
      await exec(go, args, { cwd: opts.dir, env: opts.env ?? process.env, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new GoBuildError(step, opts.dir, e.stderr || e.stdout || e.message, { cause: err });
    }
  }
  return { dir: opts.dir, files, binary };
}

async function findGo(searchPath: string): Promise<string | null> {
  for (const dir of searchPath.split(delimiter).filter((d) => d !== '')) {
    const candidate = join(dir, 'go');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
