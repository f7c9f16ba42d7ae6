// Content hash of a build's inputs. Contents, not mtimes: a `touch` or a fresh checkout does
// not rebuild, an edit does. The esbuild version and a recipe version are part of the hash, so
// upgrading esbuild or changing the build options below rebuilds everything.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Bump when the build options in build.ts change, so old binaries count as stale. */
export const RECIPE_VERSION = 1;

/** What identifies a build besides its input files. */
export interface HashHeader {
  name: string;
  version?: string;
  entry: string;
  esbuild: string;
}

/**
 * Hashes the header and the content of every input (paths relative to projectDir).
 * Returns undefined when an input cannot be read: it was deleted, so the build is stale.
 */
export async function hashInputs(projectDir: string, header: HashHeader, inputs: readonly string[]): Promise<string | undefined> {
  const sorted = [...new Set(inputs)].sort();
  const digests = await Promise.all(
    sorted.map(async (input) => {
      try {
        return createHash('sha256').update(await readFile(resolve(projectDir, input))).digest('hex');
      } catch {
        return undefined;
      }
    }),
  );
  const h = createHash('sha256');
  h.update(`recipe ${RECIPE_VERSION}\nesbuild ${header.esbuild}\nname ${header.name}\nversion ${header.version ?? ''}\nentry ${header.entry}\n`);
  for (const [i, input] of sorted.entries()) {
    const digest = digests[i];
    if (digest === undefined) return undefined;
    h.update(`${input}\0${digest}\n`);
  }
  return h.digest('hex');
}
