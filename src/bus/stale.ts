// Reclaiming a stale embedded server. nats-server outlives a parent that is SIGKILLed, so a
// crashed run leaves it holding its ports and store. Before a new start on the same data dir,
// the server recorded in the pid file is stopped if (and only if) it is provably ours: alive,
// a nats-server running our config file, and its owner (the process that launched it) dead.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { isProcessAlive, processArgv, terminatePid } from '../process/index.ts';
import { NatsServerStartError } from './errors.ts';
import type { ServerPaths } from './server-config.ts';

/** Records this process as the owner of the server just launched. */
export async function writeOwner(paths: ServerPaths): Promise<void> {
  await writeFile(paths.ownerFile, `${process.pid}\n`);
}

/** Stops a stale server left in the data dir; returns its pid, or null when there was none. */
export async function reclaimStaleServer(paths: ServerPaths, graceMs: number): Promise<number | null> {
  const pid = await readPid(paths.pidFile);
  if (pid === null || !(await isProcessAlive(pid))) {
    await rm(paths.pidFile, { force: true });
    return null;
  }
  const argv = await processArgv(pid);
  // A pid file can outlive its process and the pid be reused: leave unrelated processes alone.
  if (argv === null || !isServerWithConfig(argv, paths.configFile)) {
    await rm(paths.pidFile, { force: true });
    return null;
  }
  const owner = await readPid(paths.ownerFile);
  if (owner !== null && (await isProcessAlive(owner))) {
    throw new NatsServerStartError(
      'in-use',
      `the nats-server of this data dir (pid ${pid}) belongs to a running process (pid ${owner}); stop that process or use another data dir`,
      '',
    );
  }
  if (!(await terminatePid(pid, graceMs))) {
    throw new NatsServerStartError('stale', `a stale nats-server (pid ${pid}) from an earlier run did not stop; kill it by hand`, '');
  }
  await rm(paths.pidFile, { force: true });
  return pid;
}

function isServerWithConfig(argv: string[], configFile: string): boolean {
  const [exe, ...args] = argv;
  return exe !== undefined && basename(exe).includes('nats-server') && args.includes(configFile);
}

async function readPid(file: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
