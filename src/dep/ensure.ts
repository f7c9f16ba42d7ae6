// Ensures the executables of `dep` blocks exist and are current. Contract:
//   in:  dep entries of any source (docs/dep.md); an unknown source is an error, never a skip
//   out: <depDir>/bin/<bin> (a file for local, a link otherwise) and <depDir>/manifest.json
//   A local binary is "fresh" when it exists and the hash of its recorded inputs still matches;
//   otherwise it is rebuilt. The other sources are fresh when their record matches the entry.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ESBUILD_VERSION, bundle } from './build.ts';
import { DepError } from './errors.ts';
import { hashInputs } from './hash.ts';
import type { HashHeader } from './hash.ts';
import { readManifest, updateManifest } from './manifest.ts';
import { sha256File } from './files.ts';
import type { InstallContext } from './install-context.ts';
import { installNpm } from './npm.ts';
import { installRemote } from './remote.ts';
import { installApt, installPath } from './system.ts';
import type { DepEntry, DepProgress, DepResult, EnsureDepsOptions, ManifestEntry } from './types.ts';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Where `.dep` executables live for a project: `<projectDir>/.dep/bin`. */
export function depBinDir(projectDir: string): string {
  return join(resolve(projectDir), '.dep', 'bin');
}

/**
 * Builds every entry that is missing or stale, concurrently. When some entry fails, the others
 * still complete (so a retry is quick) and the first failure is thrown as a DepError.
 */
export async function ensureDeps(entries: readonly DepEntry[], options: EnsureDepsOptions): Promise<DepResult[]> {
  const seen = new Set<string>();
  const links = new Map<string, string>();
  for (const entry of entries) {
    if (seen.has(entry.name)) throw new DepError(entry.name, 'invalid-entry', 'the same name appears twice');
    seen.add(entry.name);
    // Two deps behind one .dep/bin name would each replace the other's link.
    const link = basename(entry.source === 'local' ? entry.name : (entry.bin ?? entry.name));
    const other = links.get(link);
    if (other !== undefined) throw new DepError(entry.name, 'invalid-entry', `its binary .dep/bin/${link} is also dep ${JSON.stringify(other)}'s; give one of them another bin`);
    links.set(link, entry.name);
  }
  const settled = await Promise.allSettled(entries.map((entry) => ensureDep(entry, options)));
  const results: DepResult[] = [];
  for (const [i, outcome] of settled.entries()) {
    if (outcome.status === 'fulfilled') results.push(outcome.value);
    else throw asDepError(entries[i]?.name ?? '?', outcome.reason);
  }
  return results;
}

/** Ensures one entry; for callers that handle each service's failure separately. */
export async function ensureDep(entry: DepEntry, options: EnsureDepsOptions): Promise<DepResult> {
  const started = performance.now();
  const projectDir = resolve(options.projectDir);
  const depDir = resolve(options.depDir ?? join(projectDir, '.dep'));
  if (entry.source !== 'local') return installOther(entry, depDir, options, started);
  const { entryRel, entryAbs } = await checkEntry(entry, projectDir);
  const binFile = join(depDir, 'bin', entry.name);
  const header: HashHeader = { name: entry.name, version: entry.version, entry: entryRel, esbuild: ESBUILD_VERSION };
  const progress = (phase: DepProgress['phase']): void => options.onProgress?.({ name: entry.name, phase });
  const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;

  progress('checking');
  if (await isFresh(projectDir, depDir, binFile, header)) {
    progress('fresh');
    return { name: entry.name, path: binFile, action: 'fresh', ms: elapsed() };
  }
  progress('building');
  try {
    await ensureModuleScope(depDir);
    const { inputs } = await bundle(projectDir, entryAbs, binFile);
    const rel = inputs.map(toPosix);
    const hash = await hashInputs(projectDir, header, rel);
    if (hash === undefined) throw new DepError(entry.name, 'build-failed', 'an input vanished during the build');
    const record: ManifestEntry = {
      name: entry.name,
      version: entry.version,
      source: entry.source,
      checksum: await sha256File(binFile),
      entry: entryRel,
      hash,
      builtAt: new Date().toISOString(),
      path: toPosix(relative(depDir, binFile)),
      esbuild: ESBUILD_VERSION,
      inputs: rel,
    };
    await updateManifest(depDir, entry.name, record);
  } catch (err) {
    progress('failed');
    throw asDepError(entry.name, err);
  }
  progress('built');
  return { name: entry.name, path: binFile, action: 'built', ms: elapsed() };
}

const INSTALLERS: Record<string, (ctx: InstallContext) => Promise<ManifestEntry | undefined>> = {
  path: installPath,
  apt: installApt,
  npm: installNpm,
  url: installRemote,
  'github-release': installRemote,
};

// Every source but local: the installer returns the new record, or undefined when the one on
// disk still matches. path and apt always look again (cheap) and count as fresh when nothing moved.
async function installOther(entry: DepEntry, depDir: string, options: EnsureDepsOptions, started: number): Promise<DepResult> {
  checkName(entry);
  const installer = INSTALLERS[entry.source];
  if (installer === undefined) {
    throw new DepError(entry.name, 'unsupported-source', `source ${JSON.stringify(entry.source)} is not one of local, path, apt, npm, url, github-release`);
  }
  const emit = (p: Omit<DepProgress, 'name'>): void => options.onProgress?.({ name: entry.name, ...p });
  const previous = (await readManifest(depDir))[entry.name];
  const isRoot = options.isRoot ?? process.getuid?.() === 0;
  emit({ phase: 'checking' });
  const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;
  let record: ManifestEntry | undefined;
  try {
    record = await installer({ entry, depDir, previous, mirror: options.mirror, isRoot, progress: emit });
  } catch (err) {
    emit({ phase: 'failed' });
    throw asDepError(entry.name, err);
  }
  const path = join(depDir, record?.path ?? previous?.path ?? join('bin', entry.name));
  const same = record !== undefined && previous !== undefined && record.target === previous.target && record.checksum === previous.checksum && record.source === previous.source;
  if (record === undefined || same) {
    emit({ phase: 'fresh' });
    return { name: entry.name, path, action: 'fresh', ms: elapsed() };
  }
  await updateManifest(depDir, entry.name, record);
  emit({ phase: 'installed' });
  return { name: entry.name, path, action: 'installed', ms: elapsed() };
}

function checkName(entry: DepEntry): void {
  if (typeof entry.name !== 'string' || !NAME_PATTERN.test(entry.name)) {
    throw new DepError(String(entry.name), 'invalid-entry', 'name must be letters, digits, ".", "-" or "_" (a file name)');
  }
}

async function checkEntry(entry: DepEntry, projectDir: string): Promise<{ entryRel: string; entryAbs: string }> {
  checkName(entry);
  if (typeof entry.entry !== 'string' || entry.entry.trim() === '') {
    throw new DepError(entry.name, 'invalid-entry', 'a "local" dep needs "entry": a TypeScript file relative to the project directory');
  }
  const entryAbs = resolve(projectDir, entry.entry);
  const entryRel = relative(projectDir, entryAbs);
  if (entryRel === '' || entryRel.startsWith('..' + sep) || entryRel === '..' || isAbsolute(entryRel)) {
    throw new DepError(entry.name, 'invalid-entry', `entry ${JSON.stringify(entry.entry)} is outside the project directory`);
  }
  const info = await stat(entryAbs).catch(() => undefined);
  if (!info?.isFile()) throw new DepError(entry.name, 'invalid-entry', `entry ${entryAbs} does not exist`);
  return { entryRel: toPosix(entryRel), entryAbs };
}

async function isFresh(projectDir: string, depDir: string, binFile: string, header: HashHeader): Promise<boolean> {
  const record = (await readManifest(depDir))[header.name];
  if (record === undefined || record.entry !== header.entry || !Array.isArray(record.inputs)) return false;
  const bin = await stat(binFile).catch(() => undefined);
  if (!bin?.isFile()) return false;
  return (await hashInputs(projectDir, header, record.inputs)) === record.hash;
}

// The binaries are extensionless ESM files; Node older than 20.19 decides their module type
// from the nearest package.json, so the dep directory carries its own.
async function ensureModuleScope(depDir: string): Promise<void> {
  const file = join(depDir, 'package.json');
  if (await stat(file).catch(() => undefined)) return;
  await mkdir(depDir, { recursive: true });
  await writeFile(file, '{ "type": "module", "private": true }\n');
}

function asDepError(name: string, err: unknown): DepError {
  if (err instanceof DepError) return err;
  const errors = (err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
  if (Array.isArray(errors) && errors.length > 0) {
    const text = errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text)).join('; ');
    return new DepError(name, 'build-failed', text, { cause: err });
  }
  const code = (err as NodeJS.ErrnoException).code;
  return new DepError(name, code ? 'io' : 'build-failed', (err as Error).message ?? String(err), { cause: err });
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}
