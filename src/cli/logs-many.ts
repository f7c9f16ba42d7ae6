// Several services' logs as one: lines interleaved by the time they were written (the sink's
// time index, see process/log-times.ts), each behind its service's coloured `name | ` prefix or
// as JSON objects; -f follows every file and prints lines in the order they arrive.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { consolePrefix, followLog, logFileOf, readMergedLogs } from '../process/index.ts';
import type { TimedLine } from '../process/index.ts';
import { parseDuration } from '../spec/index.ts';
import { parseLogLine, showLogLine } from '../views/index.ts';
import { UsageError } from './errors.ts';
import type { Terminal } from './terminal.ts';

/** What to print, for one or more services. */
export interface ManyLogsRequest {
  logsDir: string;
  services: string[];
  /** Last lines per service. */
  lines: number;
  sinceMs?: number;
  json: boolean;
  /** A prefix per line (more than one service). */
  prefix: boolean;
  colour: boolean;
  formats: Record<string, 'text' | 'json'>;
}

/** The epoch ms of `--since`: an age such as `10m` or an ISO time. */
export function parseSince(value: string, now = Date.now()): number {
  const age = parseDuration(value);
  if (age !== null && typeof value === 'string' && /[a-z]$/.test(value)) return now - age;
  const at = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && Number.isFinite(at)) return at;
  throw new UsageError(`--since ${JSON.stringify(value)}: expected an age such as "10m" or "2h", or an ISO time such as 2026-11-25T10:00:00Z`);
}

/** The services that have a log in a logs directory (live or rotated file). */
export function servicesWithLogs(logsDir: string): string[] {
  if (!existsSync(logsDir)) return [];
  const names = new Set<string>();
  for (const f of readdirSync(logsDir)) {
    const m = /^(.+)\.log(?:\.\d+)?$/.exec(f);
    if (m) names.add(m[1] as string);
  }
  return [...names].sort();
}

/** Prints the merged tail of the services' logs; returns how many lines were printed. */
export function printMerged(req: ManyLogsRequest, term: Terminal): number {
  const width = Math.max(0, ...req.services.map((s) => s.length));
  const sources = req.services.map((service) => ({ service, file: logFileOf(req.logsDir, service) }));
  const all = readMergedLogs(sources, { lines: req.lines, ...(req.sinceMs === undefined ? {} : { sinceMs: req.sinceMs }) });
  for (const line of all) term.out(render(req, width, line.service, line));
  return all.length;
}

/** Follows every service's log until the signal; lines print as they arrive. */
export async function followMany(req: ManyLogsRequest, term: Terminal, signal: AbortSignal): Promise<void> {
  const width = Math.max(0, ...req.services.map((s) => s.length));
  printMerged(req, term);
  const stops = req.services.map((service) =>
    followLog(logFileOf(req.logsDir, service), (text) => term.out(render(req, width, service, { time: Date.now(), stream: 'stdout', text }, false))),
  );
  try {
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    for (const stop of stops) stop();
  }
}

// A followed line's stream is not known until its index entry is written; --json leaves it out.
function render(req: ManyLogsRequest, width: number, service: string, line: TimedLine, streamKnown = true): string {
  const format = req.formats[service];
  if (req.json) {
    const { level, message } = parseLogLine(line.text, format);
    return JSON.stringify({
      service,
      ...(streamKnown ? { stream: line.stream } : {}),
      time: new Date(line.time).toISOString(),
      text: line.text,
      ...(level === null ? {} : { level, message }),
    });
  }
  const text = showLogLine(line.text, format);
  return req.prefix ? consolePrefix(service, width, req.colour) + text : text;
}

/** The logs directory of a data dir. */
export function logsDirOf(dataDir: string): string {
  return join(dataDir, 'logs');
}
