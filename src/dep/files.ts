// File helpers of the installers: checksums, atomic links into .dep/bin, and finding a binary
// by name inside an unpacked package.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** sha256 of a file's content, in hex. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** A unique sibling name for temp files and folders that a rename later moves into place. */
export function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Points `link` at `target` (relative or absolute), replacing what was there in one rename. */
export async function linkAtomic(target: string, link: string): Promise<void> {
  await mkdir(dirname(link), { recursive: true });
  const tmp = tempName(link);
  try {
    await symlink(target, tmp);
    await rename(tmp, link);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** True when `file` exists (following links) and is an executable regular file. */
export async function isExecutable(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  return info !== undefined && info.isFile() && (info.mode & 0o111) !== 0;
}

/**
 * Finds `bin` in an unpacked tree: a path containing "/" is taken as is, a bare name is searched
 * for at any depth (release archives often wrap their files in a versioned folder). The shallowest
 * match wins. Returns the path relative to `root`, or undefined.
 */
export async function findBinary(root: string, bin: string): Promise<string | undefined> {
  if (bin.includes('/')) return (await stat(join(root, bin)).catch(() => undefined))?.isFile() ? bin : undefined;
  let level = [''];
  for (let depth = 0; depth < 8 && level.length > 0; depth++) {
    const next: string[] = [];
    for (const rel of level) {
      const entries = await readdir(join(root, rel), { withFileTypes: true }).catch(() => []);
      for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const path = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.isFile() && e.name === bin) return path;
        if (e.isDirectory()) next.push(path);
      }
    }
    level = next;
  }
  return undefined;
}

/** Every file name in a tree (relative paths), for error messages that say what was there. */
export async function listFiles(root: string, limit = 20): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(root, rel), { withFileTypes: true }).catch(() => [])) {
      if (out.length >= limit) return;
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(path);
      else out.push(path);
    }
  };
  await walk('');
  return out;
}
