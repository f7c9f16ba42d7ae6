// Unpacks a downloaded file into a folder: .tar.gz/.tgz/.tar.xz/.tar through the system `tar`,
// .zip through `unzip` (both on Debian; CI installs unzip), anything else is taken as the binary
// itself. No npm dependency: these tools are everywhere the services run.
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DepError } from './errors.ts';

const run = promisify(execFile);

/** The archive kinds the installer knows, from a file name. */
export function archiveKind(fileName: string): 'tar' | 'zip' | 'file' {
  const lower = fileName.toLowerCase().replace(/[?#].*$/, '');
  if (/\.(tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tbz2?|tar)$/.test(lower)) return 'tar';
  if (lower.endsWith('.zip')) return 'zip';
  return 'file';
}

/** Unpacks `file` (named `fileName` where it came from) into the existing folder `dest`. */
export async function unpack(name: string, file: string, fileName: string, dest: string, bin: string): Promise<void> {
  const kind = archiveKind(fileName);
  await mkdir(dest, { recursive: true });
  try {
    if (kind === 'tar') {
      // -a is not needed: GNU tar detects the compression when reading a file.
      await run('tar', ['-xf', file, '-C', dest, '--no-same-owner'], { maxBuffer: 4 * 1024 * 1024 });
    } else if (kind === 'zip') {
      await run('unzip', ['-q', '-o', file, '-d', dest], { maxBuffer: 4 * 1024 * 1024 });
    } else {
      const target = join(dest, bin.split('/').pop() ?? bin);
      await copyFile(file, target);
      await chmod(target, 0o755);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const tool = kind === 'zip' ? 'unzip' : 'tar';
    if (e.code === 'ENOENT') {
      throw new DepError(name, 'install-failed', `${fileName} needs \`${tool}\`, which is not installed (apt-get install -y ${tool})`, { cause: err });
    }
    throw new DepError(name, 'install-failed', `cannot unpack ${fileName}: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}
