// `nestor logs [ID...] [-f] [-n N] [--since AGE|TIME] [--json]`: services' output from
// `<dataDir>/logs/<id>.log` (rotated files included). One id prints its log as is; no id (every
// service) or several interleave the logs by time behind `name | ` prefixes (logs-many.ts). The
// running instance says where its data dir is and which services exist; logs outlive the stack,
// so without one the project's data dir is read.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findProjectFile, loadProjectFile } from '../config/index.ts';
import { followLog, logFileOf, tailLog } from '../process/index.ts';
import { connectInstance, hasProject, loadCliConfig } from './connect.ts';
import { followSignal } from './context.ts';
import type { CliContext } from './context.ts';
import { NotRunningError, UsageError } from './errors.ts';
import { stateAtPoint } from './history.ts';
import { followMany, parseSince, printMerged, servicesWithLogs } from './logs-many.ts';
import type { ManyLogsRequest } from './logs-many.ts';
import { requireService } from './status.ts';
import { recordKeyOf } from '../views/index.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor logs`. */
export interface LogsFlags {
  file?: string;
  follow?: boolean;
  lines?: string;
  since?: string;
  json?: boolean;
}

/** Prints the last lines of one or more services' logs, then follows them with -f until Ctrl-C. */
export async function runLogs(ids: string[], flags: LogsFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const n = flags.lines === undefined ? 100 : Number(flags.lines);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`-n ${JSON.stringify(flags.lines)}: expected a number of lines (0 or more)`);
  const sinceMs = flags.since === undefined ? undefined : parseSince(flags.since);
  const formats = await formatsOf(ctx, flags.file);
  const single = ids.length === 1 && sinceMs === undefined && flags.json !== true && formats[recordKeyOf(ids[0] as string) ?? (ids[0] as string)] !== 'json';
  if (!single) {
    const { dataDir, services } = await findLogs(ids, flags.file, ctx);
    const req: ManyLogsRequest = {
      logsDir: join(dataDir, 'logs'),
      services,
      lines: n,
      ...(sinceMs === undefined ? {} : { sinceMs }),
      json: flags.json === true,
      prefix: services.length > 1,
      colour: term.colour,
      formats,
    };
    if (services.length === 0) {
      term.info(`no service has written output yet (${req.logsDir})`);
      if (!flags.follow) return 0;
    }
    if (flags.follow) await followMany(req, term, followSignal(ctx));
    else printMerged(req, term);
    return 0;
  }
  const id = ids[0] as string;
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

// The data dir and the services to read: the ids asked for (checked against the running
// instance), or every registered service; without an instance, every service with a log file.
async function findLogs(ids: string[], file: string | undefined, ctx: CliContext): Promise<{ dataDir: string; services: string[] }> {
  const keys = (names: string[]): string[] => [...new Set(names.map((id) => recordKeyOf(id) ?? id))];
  try {
    await using conn = await connectInstance(ctx, file);
    const state = await stateAtPoint(conn.bus);
    for (const id of ids) requireService(state, id);
    const services = ids.length > 0 ? keys(ids) : [...new Set([...Object.keys(state.services), ...servicesWithLogs(join(conn.info.dataDir, 'logs'))])].sort();
    return { dataDir: conn.info.dataDir, services };
  } catch (err) {
    if (!(err instanceof NotRunningError) || ctx.env.NESTOR_URL || !hasProject(ctx, file)) throw err;
    const config = await loadCliConfig(ctx, file);
    const present = servicesWithLogs(join(config.dataDir, 'logs'));
    const missing = keys(ids).filter((id) => !present.includes(id));
    if (missing.length > 0) throw new NotRunningError(err.where, ` and there is no log of "${missing.join('", "')}" in ${join(config.dataDir, 'logs')}`, { cause: err });
    return { dataDir: config.dataDir, services: ids.length > 0 ? keys(ids) : present };
  }
}

// logging.format of each service in the project file, read loosely: a project the CLI cannot
// read still has logs worth printing, shown as text.
async function formatsOf(ctx: CliContext, file: string | undefined): Promise<Record<string, 'text' | 'json'>> {
  const path = file === undefined ? findProjectFile(ctx.cwd) : resolve(ctx.cwd, file);
  if (path === null) return {};
  try {
    const raw = (await loadProjectFile(path)).raw as { services?: Record<string, { logging?: { format?: unknown } } | null> };
    const out: Record<string, 'text' | 'json'> = {};
    for (const [id, spec] of Object.entries(raw.services ?? {})) if (spec?.logging?.format === 'json') out[id] = 'json';
    return out;
  } catch {
    return {};
  }
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
