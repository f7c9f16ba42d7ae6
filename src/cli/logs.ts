// `nestor logs ID [-f] [-n N]`: a service's output from `<dataDir>/logs/<id>.log` (rotated files
// included). The running instance says where its data dir is and which services exist; logs
// outlive the stack, so without one the project's data dir is read.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { followLog, logFileOf, tailLog } from '../process/index.ts';
import { connectInstance, hasProject, loadCliConfig } from './connect.ts';
import { followSignal } from './context.ts';
import type { CliContext } from './context.ts';
import { NotRunningError, UsageError } from './errors.ts';
import { stateAtPoint } from './history.ts';
import { requireService } from './status.ts';
import { recordKeyOf } from '../views/index.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor logs`. */
export interface LogsFlags {
  file?: string;
  follow?: boolean;
  lines?: string;
}

/** Prints the last lines of a service's log, then follows it with -f until Ctrl-C. */
export async function runLogs(id: string, flags: LogsFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const n = flags.lines === undefined ? 100 : Number(flags.lines);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`-n ${JSON.stringify(flags.lines)}: expected a number of lines (0 or more)`);
  const dataDir = await findDataDir(id, flags.file, ctx);
  // `web@1` writes the log of the record `web`.
  const file = logFileOf(join(dataDir, 'logs'), recordKeyOf(id) ?? id);
  if (!flags.follow) {
    if (!existsSync(file) && !existsSync(`${file}.1`)) {
      term.info(`${id} has written no output yet (${file})`);
      return 0;
    }
    for (const line of tailLog(file, n)) term.out(line);
    return 0;
  }
  const signal = followSignal(ctx);
  const stop = followLog(file, (line) => term.out(line), { lines: n });
  try {
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    stop();
  }
  return 0;
}

// The running instance's data dir after checking the id; else the project's, if it has the log.
async function findDataDir(id: string, file: string | undefined, ctx: CliContext): Promise<string> {
  try {
    await using conn = await connectInstance(ctx, file);
    requireService(await stateAtPoint(conn.bus), id);
    return conn.info.dataDir;
  } catch (err) {
    if (!(err instanceof NotRunningError) || ctx.env.NESTOR_URL || !hasProject(ctx, file)) throw err;
    const config = await loadCliConfig(ctx, file);
    const log = logFileOf(join(config.dataDir, 'logs'), id);
    if (existsSync(log) || existsSync(`${log}.1`)) return config.dataDir;
    throw new NotRunningError(err.where, ` and there is no log of "${id}" in ${join(config.dataDir, 'logs')}`, { cause: err });
  }
}
