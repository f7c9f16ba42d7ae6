// `.dep/manifest.json`: read tolerantly, written atomically. Writes re-read the file and merge
// one record, so two ensureDeps calls in this process never drop each other's records, and
// temp-file + rename means a reader (or a crash) never sees a half-written file. Two separate
// processes can still lose each other's record; the cost is one needless rebuild, never a
// corrupt manifest.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DepManifest, ManifestEntry } from './types.ts';

/** Path of the manifest inside a dep directory. */
export function manifestPath(depDir: string): string {
  return join(depDir, 'manifest.json');
}

/** The manifest, or an empty one when it is missing or unreadable (everything then rebuilds). */
export async function readManifest(depDir: string): Promise<DepManifest> {
  let text: string;
  try {
    text = await readFile(manifestPath(depDir), 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as DepManifest) : {};
  } catch {
    return {};
  }
}

const queues = new Map<string, Promise<void>>();

/** Sets one record of the manifest; calls for the same dep directory run one after another. */
export function updateManifest(depDir: string, name: string, entry: ManifestEntry): Promise<void> {
  return editManifest(depDir, (manifest) => {
    manifest[name] = entry;
  });
}

/** Deletes records of the manifest, queued like updateManifest. */
export function removeManifestRecords(depDir: string, names: readonly string[]): Promise<void> {
  return editManifest(depDir, (manifest) => {
    for (const name of names) delete manifest[name];
  });
}

function editManifest(depDir: string, edit: (manifest: DepManifest) => void): Promise<void> {
  const file = manifestPath(depDir);
  const previous = queues.get(file) ?? Promise.resolve();
  const next = previous.then(async () => {
    const manifest = await readManifest(depDir);
    edit(manifest);
    await writeAtomic(file, JSON.stringify(manifest, null, 2) + '\n');
  });
  const settled = next.catch(() => undefined);
  queues.set(file, settled);
  void settled.then(() => {
    if (queues.get(file) === settled) queues.delete(file);
  });
  return next;
}

/** Writes a file through a unique temp file in the same directory and a rename. */
export async function writeAtomic(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data, { mode });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
