// The path and apt sources: binaries that live outside .dep. Both end with a link
// .dep/bin/<bin> to the binary, so `{dep.bin}/<bin>` works whatever the source.
import { execFile } from 'node:child_process';
import { basename, delimiter, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { DepError } from './errors.ts';
import { isExecutable, linkAtomic, sha256File } from './files.ts';
import type { InstallContext } from './install-context.ts';
import type { ManifestEntry } from './types.ts';

const run = promisify(execFile);
// Debian keeps daemons in sbin, which a non-login PATH often lacks.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of `bin` on PATH or in the usual system folders, or undefined. */
export async function whichBinary(bin: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  if (isAbsolute(bin)) return (await isExecutable(bin)) ? bin : undefined;
  const dirs = [...path.split(delimiter).filter((d) => d !== '' && isAbsolute(d)), ...EXTRA_DIRS];
  for (const dir of new Set(dirs)) {
    if (await isExecutable(join(dir, bin))) return join(dir, bin);
  }
  return undefined;
}

/** Installs a path dep: the binary must already be on the machine. */
export async function installPath(ctx: InstallContext): Promise<ManifestEntry> {
  const bin = ctx.entry.bin ?? ctx.entry.name;
  const found = await whichBinary(bin);
  if (found === undefined) {
    throw new DepError(ctx.entry.name, 'missing-binary', `${JSON.stringify(bin)} is not on this machine (looked in PATH and ${EXTRA_DIRS.join(', ')}); install it, or give the dep another source`);
  }
  return linkSystemBinary(ctx, found, undefined);
}

/** Installs an apt dep: apt-get install when root, otherwise fails with the command to run. */
export async function installApt(ctx: InstallContext): Promise<ManifestEntry> {
  const { entry } = ctx;
  const pkg = entry.package ?? entry.name;
  const bin = entry.bin ?? entry.name;
  const spec = entry.version === undefined ? pkg : `${pkg}=${entry.version}`;
  let installed = await dpkgVersion(pkg);
  if (installed === undefined || (entry.version !== undefined && installed !== entry.version)) {
    const command = `apt-get install -y ${spec}`;
    if (!ctx.isRoot) {
      throw new DepError(entry.name, 'needs-root', `the Debian package ${pkg} is not installed and installing it needs root; run: sudo ${command}`);
    }
    ctx.progress({ phase: 'installing', detail: command });
    await aptInstall(entry.name, spec, () => ctx.progress({ phase: 'installing', detail: 'apt-get update' }));
    installed = await dpkgVersion(pkg);
    if (installed === undefined) throw new DepError(entry.name, 'install-failed', `${command} succeeded but dpkg does not list ${pkg} as installed`);
  }
  const found = (await packageBinary(pkg, bin)) ?? (await whichBinary(bin));
  if (found === undefined) {
    throw new DepError(entry.name, 'missing-binary', `the Debian package ${pkg} has no executable named ${JSON.stringify(bin)} (dpkg -L ${pkg} lists its files); set dep.bin`);
  }
  return linkSystemBinary(ctx, found, installed);
}

async function linkSystemBinary(ctx: InstallContext, found: string, version: string | undefined): Promise<ManifestEntry> {
  const linkName = basename(ctx.entry.bin ?? ctx.entry.name);
  const link = join(ctx.depDir, 'bin', linkName);
  await linkAtomic(found, link);
  return {
    name: ctx.entry.name,
    version: version ?? ctx.entry.version,
    source: ctx.entry.source,
    checksum: await sha256File(found),
    path: `bin/${linkName}`,
    target: found,
    ...(ctx.entry.source === 'apt' ? { package: ctx.entry.package ?? ctx.entry.name } : {}),
    builtAt: new Date().toISOString(),
  };
}

/** The installed version of a Debian package, or undefined when it is not installed. */
async function dpkgVersion(pkg: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}\t${Version}', pkg]);
    const [status, version] = stdout.split('\t');
    return status?.endsWith(' installed') ? version : undefined;
  } catch {
    return undefined;
  }
}

async function packageBinary(pkg: string, bin: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('dpkg', ['-L', pkg], { maxBuffer: 16 * 1024 * 1024 });
    for (const file of stdout.split('\n')) {
      if (basename(file) === basename(bin) && /\/s?bin\//.test(file) && (await isExecutable(file))) return file;
    }
  } catch {
    // Not a dpkg system, or the package is gone: the PATH search decides.
  }
  return undefined;
}

// dpkg holds one lock per machine: two apt deps of one start install one after the other
// instead of failing on "Could not get lock".
let aptQueue: Promise<unknown> = Promise.resolve();

function aptInstall(name: string, spec: string, onUpdate: () => void): Promise<void> {
  const next = aptQueue.then(() => aptInstallNow(name, spec, onUpdate));
  aptQueue = next.catch(() => undefined);
  return next;
}

async function aptInstallNow(name: string, spec: string, onUpdate: () => void): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '-q', spec], { env, maxBuffer: 64 * 1024 * 1024 });
  try {
    await install();
    return;
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '');
    // A fresh machine has no package lists yet: update once, then try again.
    if (!/Unable to locate package|has no installation candidate|Failed to fetch/.test(stderr)) throw aptError(name, spec, err);
  }
  onUpdate();
  try {
    await run('apt-get', ['update', '-q'], { env, maxBuffer: 64 * 1024 * 1024 });
    await install();
  } catch (err) {
    throw aptError(name, spec, err);
  }
}

function aptError(name: string, spec: string, err: unknown): DepError {
  const e = err as { stderr?: string; message?: string; code?: string };
  if (e.code === 'ENOENT') return new DepError(name, 'install-failed', `apt-get is not on this machine (the apt source needs Debian or Ubuntu)`, { cause: err });
  const lines = String(e.stderr ?? e.message ?? '').trim().split('\n').filter((l) => l.trim() !== '');
  return new DepError(name, 'install-failed', `apt-get install -y ${spec} failed: ${lines.slice(-3).join(' / ')}`, { cause: err });
}
