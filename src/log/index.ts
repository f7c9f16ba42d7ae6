// Structured logging: a thin pino wrapper so every shell logs the same JSON lines, to a file
// under the data dir (`nestor up`) or to stderr (short-lived CLI verbs, tests).
import { createRequire } from 'node:module';
import type { Logger, pino as Pino } from 'pino';

// pino (a CommonJS package) is required when the first logger is made, not when this module is
// imported: the config's schema imports LOG_LEVELS from here, and every short-lived CLI verb
// loads the config without ever logging.
const loadPino = (): { pino: typeof Pino } => createRequire(import.meta.url)('pino') as { pino: typeof Pino };

/** Log levels, most verbose first; `silent` turns logging off. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** One of the log levels. */
export type LogLevel = (typeof LOG_LEVELS)[number];
export type { Logger };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Component name, written as `name` on every line. */
  name: string;
  level: LogLevel;
  /** Append to this file (its directory is created); stderr when absent. */
  file?: string;
}

/** A logger and the destination it owns. */
export interface OwnedLogger {
  log: Logger;
  /** Releases the file descriptor; lines logged afterwards are dropped. */
  close(): void;
}

/** A logger writing JSON lines to `file` or stderr. */
export function createLogger(opts: LoggerOptions): OwnedLogger {
  const { pino } = loadPino();
  // Synchronous writes: a supervisor that crashes or is killed must not lose its last lines,
  // and Nestor logs lifecycle transitions, not a firehose.
  const dest = opts.file === undefined ? pino.destination({ fd: 2, sync: true }) : pino.destination({ dest: opts.file, mkdir: true, sync: true });
  const log = pino(
    {
      name: opts.name,
      level: opts.level,
      base: { pid: process.pid },
      // Level names and RFC 3339 times keep the files readable without pino's tooling.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    dest,
  );
  let closed = false;
  return {
    log,
    close() {
      if (closed) return;
      closed = true;
      // A late callback (a broker hook firing during shutdown) must not write to an ended stream.
      log.level = 'silent';
      // stderr belongs to the process, not to this logger.
      if (opts.file !== undefined) dest.end();
    },
  };
}
