// The npm source: `npm install` of the pinned package into .dep/npm/<name>@<version> (through a
// temp folder and a rename), then a link .dep/bin/<bin> to the package's bin.
import { execFile } from 'node:child_process';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DepError } from './errors.ts';
import { isExecutable, linkAtomic, sha256File, tempName } from './files.ts';
import type { InstallContext } from './install-context.ts';
import type { ManifestEntry } from './types.ts';

const run = promisify(execFile);

/** Installs an npm dep; returns its manifest record, or undefined when fresh. */
export async function installNpm(ctx: InstallContext): Promise<ManifestEntry | undefined> {
  const { entry, depDir } = ctx;
  const pkg = entry.package ?? entry.name;
  const version = entry.version ?? '';
  const bin = entry.bin ?? pkg.replace(/^@[^/]+\//, '');
  const dirRel = `npm/${entry.name}@${version}`;
  const link = join(depDir, 'bin', bin);
  const prev = ctx.previous;
  if (prev?.source === 'npm' && prev.package === pkg && prev.version === version && prev.path === `bin/${bin}` && (await isExecutable(link))) return undefined;
  const finalDir = join(depDir, dirRel);
  await mkdir(join(depDir, 'npm'), { recursive: true });
  const tmpDir = tempName(finalDir);
  const command = `npm install ${pkg}@${version}`;
  try {
    await mkdir(tmpDir);
    ctx.progress({ phase: 'installing', detail: command });
    try {
      await run('npm', ['install', '--prefix', tmpDir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `${pkg}@${version}`], {
        cwd: tmpDir,
        maxBuffer: 16 * 1024 * 1024,
        timeout: 10 * 60_000,
      });
    } catch (err) {
      const e = err as { stderr?: string; message?: string };
      // npm puts the reason first and a pointer to its debug log last.
      const lines = String(e.stderr ?? e.message ?? '').trim().split('\n').filter((l) => l.trim() !== '' && !/complete log of this run/.test(l));
      throw new DepError(entry.name, 'install-failed', `${command} failed: ${lines.slice(0, 3).join(' / ')}`, { cause: err });
    }
    const binDir = join(tmpDir, 'node_modules', '.bin');
    if (!(await isExecutable(join(binDir, bin)))) {
      const bins = await readdir(binDir).catch(() => []);
      throw new DepError(entry.name, 'missing-binary', `${pkg}@${version} has no bin named ${JSON.stringify(bin)} (it has ${bins.join(', ') || 'none'}); set dep.bin`);
    }
    await rm(finalDir, { recursive: true, force: true });
    await rename(tmpDir, finalDir);
    await linkAtomic(`../${dirRel}/node_modules/.bin/${bin}`, link);
    return {
      name: entry.name,
      version,
      source: 'npm',
      package: pkg,
      checksum: await sha256File(link),
      path: `bin/${bin}`,
      target: `${dirRel}/node_modules/.bin/${bin}`,
      dir: dirRel,
      builtAt: new Date().toISOString(),
    };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}
