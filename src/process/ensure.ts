// Ensure actions run before every start: create directories and render templates, never outside
// the allowed roots. Containment is checked on real paths: `..` is resolved lexically, then the
// deepest existing ancestor is passed through realpath, so a symlink cannot smuggle a write out.
import { lstat, mkdir, readFile, readlink, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { EnsureAction } from '../spec/index.ts';
import { EnsureError, PathEscapeError, errnoCode } from './errors.ts';

/** Options of runEnsure. */
export interface EnsureOptions {
  /** Targets must resolve inside one of these directories. */
  allowedRoots: readonly string[];
  /** Template paths are relative to this directory and must stay inside it. */
  templateDir: string;
  /** Expands placeholders in template contents (default: contents written as they are). */
  render?: (text: string) => string;
  /** Relative targets resolve against this directory (default: the first allowed root). */
  baseDir?: string;
}

/** What one action did. */
export interface EnsureOutcome {
  type: EnsureAction['type'];
  /** Absolute target path. */
  target: string;
  /** False when the directory already existed or the file already had the rendered content. */
  changed: boolean;
}

const MAX_LINK_HOPS = 40;

/**
 * The real location of a path that may not exist yet: realpath of its deepest existing ancestor
 * plus the missing remainder. Dangling symlinks are followed to where they would create a file.
 */
export async function realLocation(path: string): Promise<string> {
  let cur = resolve(path);
  const missing: string[] = [];
  for (let hops = 0; hops <= MAX_LINK_HOPS; ) {
    let isLink: boolean;
    try {
      isLink = (await lstat(cur)).isSymbolicLink();
    } catch (err) {
      const code = errnoCode(err);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(cur) === cur) throw err;
      missing.unshift(basename(cur));
      cur = dirname(cur);
      continue;
    }
    try {
      return join(await realpath(cur), ...missing);
    } catch (err) {
      if (!isLink || errnoCode(err) !== 'ENOENT') throw err;
      // A dangling link: writing through it would create its target, so that is the location.
      cur = resolve(dirname(cur), await readlink(cur));
      hops++;
    }
  }
  throw new EnsureError('mkdir', path, `too many levels of symbolic links`);
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Resolves path (relative to base) and returns its real location, or throws PathEscapeError. */
export async function resolveInsideRoots(path: string, roots: readonly string[], base?: string): Promise<string> {
  const abs = resolve(base ?? roots[0] ?? '.', path);
  const real = await realLocation(abs);
  for (const root of roots) {
    if (isInside(await realLocation(root), real)) return real;
  }
  throw new PathEscapeError(path, real, roots);
}

/** Runs the actions in order; stops at the first failure (PathEscapeError or EnsureError). */
export async function runEnsure(actions: readonly EnsureAction[], options: EnsureOptions): Promise<EnsureOutcome[]> {
  const out: EnsureOutcome[] = [];
  const base = options.baseDir ?? options.allowedRoots[0] ?? '.';
  for (const action of actions) {
    switch (action.type) {
      case 'mkdir': {
        const target = resolve(base, action.path);
        const real = await resolveInsideRoots(action.path, options.allowedRoots, base);
        out.push({ type: 'mkdir', target, changed: await ensureDir(real, action.path) });
        break;
      }
      case 'template': {
        const target = resolve(base, action.target);
        const real = await resolveInsideRoots(action.target, options.allowedRoots, base);
        const source = await resolveInsideRoots(action.template, [options.templateDir], options.templateDir);
        out.push({ type: 'template', target, changed: await renderTemplate(source, real, action.target, options.render) });
        break;
      }
    }
  }
  return out;
}

async function ensureDir(real: string, shown: string): Promise<boolean> {
  try {
    return (await mkdir(real, { recursive: true })) !== undefined;
  } catch (err) {
    throw new EnsureError('mkdir', shown, describe(err), { cause: err });
  }
}

async function renderTemplate(source: string, real: string, shown: string, render?: (text: string) => string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (err) {
    throw new EnsureError('template', shown, `cannot read template ${source}: ${describe(err)}`, { cause: err });
  }
  const rendered = render ? render(text) : text;
  const current = await readFile(real, 'utf8').catch(() => null);
  if (current === rendered) return false;
  // Write beside the target and rename, so a reader never sees a half-written file.
  const tmp = `${real}.nestor-tmp-${process.pid}`;
  try {
    await mkdir(dirname(real), { recursive: true });
    await writeFile(tmp, rendered);
    await rename(tmp, real);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new EnsureError('template', shown, describe(err), { cause: err });
  }
  return true;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
