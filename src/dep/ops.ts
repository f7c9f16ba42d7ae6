// What `nestor dep list|verify|prune` do with a dep directory, apart from printing.
import { lstat, readdir, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { sha256File } from './files.ts';
import { readManifest, removeManifestRecords } from './manifest.ts';
import type { ManifestEntry } from './types.ts';

/** One installed dep as `nestor dep list` shows it: its manifest record, named, with absolute paths. */
export type InstalledDep = Omit<ManifestEntry, 'name' | 'path'> & { name: string; path: string };

/** The manifest's records, sorted by name, with absolute paths. */
export async function listInstalled(depDir: string): Promise<InstalledDep[]> {
  const manifest = await readManifest(depDir);
  return Object.entries(manifest)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, r]) => ({
      name,
      ...(r.version === undefined ? {} : { version: r.version }),
      source: r.source,
      ...(r.checksum === undefined ? {} : { checksum: r.checksum }),
      path: join(depDir, r.path),
      ...(r.target === undefined ? {} : { target: resolve(depDir, r.target) }),
      builtAt: r.builtAt,
    }));
}

/** The outcome of verifying one record. */
export interface VerifyResult {
  name: string;
  path: string;
  status: 'ok' | 'missing' | 'changed' | 'unchecked';
  expected?: string;
  actual?: string;
}

/** Re-hashes every installed executable against the checksum its record holds. */
export async function verifyInstalled(depDir: string): Promise<VerifyResult[]> {
  const manifest = await readManifest(depDir);
  const names = Object.keys(manifest).sort();
  return Promise.all(
    names.map(async (name): Promise<VerifyResult> => {
      const r = manifest[name] as ManifestEntry;
      const path = join(depDir, r.path);
      const actual = await sha256File(path).catch(() => undefined);
      if (actual === undefined) return { name, path, status: 'missing', ...(r.checksum ? { expected: r.checksum } : {}) };
      if (r.checksum === undefined) return { name, path, status: 'unchecked', actual };
      return { name, path, status: actual === r.checksum ? 'ok' : 'changed', expected: r.checksum, actual };
    }),
  );
}

/** What prune removed: manifest records and files (relative to the dep directory). */
export interface PruneResult {
  records: string[];
  files: string[];
}

/**
 * Removes the records whose name is not in `keep`, with their links and folders, then every file
 * in bin/, pkg/ and npm/ that no remaining record uses (left-overs of older versions and of
 * interrupted installs). Debian packages stay installed: apt owns them.
 */
export async function pruneInstalled(depDir: string, keep: ReadonlySet<string>): Promise<PruneResult> {
  const manifest = await readManifest(depDir);
  const drop = Object.keys(manifest).filter((name) => !keep.has(name)).sort();
  await removeManifestRecords(depDir, drop);
  const kept = Object.entries(manifest).filter(([name]) => keep.has(name)).map(([, r]) => r);
  const used = new Set<string>();
  for (const r of kept) {
    used.add(r.path);
    if (r.dir !== undefined) used.add(r.dir);
  }
  const files: string[] = [];
  for (const folder of ['bin', 'pkg', 'npm']) {
    for (const name of await readdir(join(depDir, folder)).catch(() => [] as string[])) {
      const rel = `${folder}/${name}`;
      if (used.has(rel)) continue;
      const abs = join(depDir, rel);
      // Never follow a link out of the dep directory: rm removes the link itself.
      if (!abs.startsWith(resolve(depDir) + sep)) continue;
      if ((await lstat(abs).catch(() => undefined)) === undefined) continue;
      await rm(abs, { recursive: true, force: true });
      files.push(rel);
    }
  }
  return { records: drop, files: files.sort() };
}
