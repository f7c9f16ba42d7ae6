// Bundles one TypeScript entry into a single executable ESM file with esbuild. The output
// needs nothing from node_modules at run time.
import { chmod } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { writeAtomic } from './manifest.ts';

/** The esbuild version, part of every build hash. */
// Read from its package.json: loading esbuild's JS API costs a node ~5 MB that `up` only needs
// when a binary is actually rebuilt.
export const ESBUILD_VERSION: string = (createRequire(import.meta.url)('esbuild/package.json') as { version: string }).version;

// Bundled CommonJS dependencies call require() for node built-ins; an ESM file has no
// require, so the banner provides one.
const BANNER = [
  '#!/usr/bin/env node',
  "import { createRequire as __nestorCreateRequire } from 'node:module';",
  'const require = __nestorCreateRequire(import.meta.url);',
].join('\n');

/** The result of one bundle: the inputs esbuild read, relative to the project directory. */
export interface BundleResult {
  inputs: string[];
  bytes: number;
}

// esbuild's JS API runs its builds in a long-lived `esbuild --service` child process, which
// would otherwise stay alive (idle) for as long as Nestor runs. Builds run concurrently, so the
// service is stopped when the last one in flight ends; the next build starts a new one.
let inFlight = 0;

/** Bundles `entryAbs` into the executable `outFile` (written atomically, mode 755). */
export async function bundle(projectDir: string, entryAbs: string, outFile: string): Promise<BundleResult> {
  inFlight++;
  try {
    return await bundleOnce(projectDir, entryAbs, outFile);
  } finally {
    if (--inFlight === 0) await (await import('esbuild')).stop();
  }
}

async function bundleOnce(projectDir: string, entryAbs: string, outFile: string): Promise<BundleResult> {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: projectDir,
    entryPoints: [entryAbs],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: BANNER },
    metafile: true,
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const output = result.outputFiles.find((f) => f.path === outFile) ?? result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output file');
  await writeAtomic(outFile, output.contents, 0o755);
  // The umask may have narrowed the mode given to writeFile.
  await chmod(outFile, 0o755);
  // Metafile input keys are relative to absWorkingDir; keys with a namespace prefix are virtual.
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !/^[a-z-]+:/.test(p));
  return { inputs, bytes: output.contents.byteLength };
}
