// The url and github-release sources: download, check the sha256, unpack into a temp folder,
// find the binary by name, then move the folder into .dep/pkg and link .dep/bin/<bin> to it.
// Every step before the rename works on temp names, so a failure leaves nothing half-installed.
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { unpack } from './archive.ts';
import { download, downloadUrl } from './download.ts';
import { DepError } from './errors.ts';
import { findBinary, isExecutable, linkAtomic, listFiles, sha256File, tempName } from './files.ts';
import type { InstallContext } from './install-context.ts';
import type { ManifestEntry } from './types.ts';

/** Installs a url or github-release dep; returns its manifest record, or undefined when fresh. */
export async function installRemote(ctx: InstallContext): Promise<ManifestEntry | undefined> {
  const { entry, depDir } = ctx;
  const url = downloadUrl(entry, ctx.mirror);
  const sha256 = (entry.sha256 ?? '').toLowerCase();
  const bin = entry.bin ?? entry.name;
  const linkName = basename(bin);
  const link = join(depDir, 'bin', linkName);
  const prev = ctx.previous;
  if (prev !== undefined && prev.source === entry.source && prev.sha256 === sha256 && prev.path === `bin/${linkName}` && (await isExecutable(link))) {
    return undefined;
  }
  const dirRel = `pkg/${entry.name}@${entry.version === undefined ? '' : `${entry.version}-`}${sha256.slice(0, 12)}`;
  const finalDir = join(depDir, dirRel);
  await mkdir(join(depDir, 'pkg'), { recursive: true });
  const tmpDir = tempName(finalDir);
  const tmpFile = `${tmpDir}.download`;
  try {
    ctx.progress({ phase: 'downloading', detail: url, bytes: 0 });
    await download(entry.name, url, tmpFile, sha256, (bytes, total) => ctx.progress({ phase: 'downloading', detail: url, bytes, total }));
    ctx.progress({ phase: 'installing', detail: `unpacking ${basename(new URL(url).pathname)}` });
    const fileName = decodeURIComponent(basename(new URL(url).pathname));
    await unpack(entry.name, tmpFile, fileName, tmpDir, bin);
    const found = await findBinary(tmpDir, bin);
    if (found === undefined) {
      const files = await listFiles(tmpDir);
      throw new DepError(entry.name, 'missing-binary', `${url} has no file named ${JSON.stringify(bin)} (it holds ${files.join(', ') || 'nothing'}); set dep.bin to the binary's name or path inside it`);
    }
    if (!(await isExecutable(join(tmpDir, found)))) await chmod(join(tmpDir, found), 0o755);
    await rm(finalDir, { recursive: true, force: true });
    await rename(tmpDir, finalDir);
    await linkAtomic(`../${dirRel}/${found}`, link);
    return {
      name: entry.name,
      version: entry.version,
      source: entry.source,
      checksum: await sha256File(link),
      path: `bin/${linkName}`,
      target: `${dirRel}/${found}`,
      dir: dirRel,
      url,
      sha256,
      builtAt: new Date().toISOString(),
    };
  } finally {
    await rm(tmpFile, { force: true });
    await rm(tmpDir, { recursive: true, force: true });
  }
}
