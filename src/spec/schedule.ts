// Scheduled one-shot services: the `schedule` block as written, its normalization (a cron
// expression and time zone are checked with croner and Intl, so a typo is a spec error and not
// a job that never runs) and the computation of the next run time. Pure: `now` is an argument.
import { Cron } from 'croner';
import { z } from 'zod';
import { DURATION_EXPECTED, DURATION_PATTERN, parseDuration } from './duration.ts';
import { summarize } from './issues.ts';
import type { SpecIssue } from './issues.ts';
import type { ScheduleSpec } from './types.ts';

/** Shortest `every` interval: below it a run would be little more than its own start-up. */
export const MIN_EVERY_MS = 1000;
const CRON_EXPECTED = 'cron expression of 5 fields (minute hour day month weekday) or 6 (with seconds first), e.g. "*/5 * * * *"';
const TIMEZONE_EXPECTED = 'IANA time zone name such as "Europe/Paris" or "UTC"';

/** The `schedule` block of a service spec, as written. */
export const scheduleSchema = z
  .strictObject({
    cron: z.string({ error: CRON_EXPECTED }).optional().describe('Cron expression (5 fields, or 6 with seconds first). Exactly one of cron and every.'),
    timezone: z.string({ error: TIMEZONE_EXPECTED }).optional().describe('IANA time zone the cron expression is read in. Default: the node\'s local time.'),
    every: z
      .union([z.number({ error: DURATION_EXPECTED }).min(0), z.string({ error: DURATION_EXPECTED }).regex(DURATION_PATTERN, { error: DURATION_EXPECTED })], {
        error: DURATION_EXPECTED,
      })
      .optional()
      .describe('Run at this interval, e.g. "30s" or "5m" (at least 1s). Exactly one of cron and every.'),
    overlap: z
      .enum(['skip', 'queue', 'allow'])
      .default('skip')
      .describe('A run due while the previous one still runs: skip it, queue it (at most one, run right after), or allow it (up to maxConcurrent). Default skip.'),
    maxConcurrent: z.number().int().min(1).optional().describe('With overlap allow: runs at the same time per instance. Only 1 is supported (one process per instance).'),
    runAtStart: z.boolean().default(false).describe('Run once when the stack comes up, besides the schedule. Default false.'),
  })
  .describe('Run this oneshot on a schedule (cron or every) instead of once.');

/** The block after schema defaults. */
export type ParsedSchedule = z.output<typeof scheduleSchema>;

/** Normalizes a schema-valid block; problems are reported at `at(field)`. */
export function normalizeSchedule(
  p: ParsedSchedule,
  kind: 'daemon' | 'oneshot',
  at: (...rest: string[]) => string,
  issues: SpecIssue[],
): ScheduleSpec {
  if (kind !== 'oneshot') {
    issues.push({ path: at('kind'), expected: '"oneshot" for a service with a schedule (a daemon never ends a run)', got: summarize(kind) });
  }
  if ((p.cron === undefined) === (p.every === undefined)) {
    issues.push({ path: at('schedule'), expected: 'exactly one of cron and every', got: p.cron === undefined ? 'neither' : 'both' });
  }
  if (p.cron !== undefined) {
    const problem = cronProblem(p.cron);
    if (problem !== null) issues.push({ path: at('schedule', 'cron'), expected: CRON_EXPECTED, got: `${summarize(p.cron)} (${problem})` });
  }
  if (p.timezone !== undefined) {
    if (!isTimeZone(p.timezone)) issues.push({ path: at('schedule', 'timezone'), expected: TIMEZONE_EXPECTED, got: summarize(p.timezone) });
    else if (p.cron === undefined) issues.push({ path: at('schedule', 'timezone'), expected: 'timezone only with cron (every counts from the last run)', got: summarize(p.timezone) });
  }
  const everyMs = p.every === undefined ? undefined : (parseDuration(p.every) ?? 0);
  if (everyMs !== undefined && everyMs < MIN_EVERY_MS) {
    issues.push({ path: at('schedule', 'every'), expected: `a duration of at least ${MIN_EVERY_MS / 1000}s`, got: summarize(p.every) });
  }
  if (p.maxConcurrent !== undefined && p.overlap !== 'allow') {
    issues.push({ path: at('schedule', 'maxConcurrent'), expected: 'maxConcurrent only with overlap "allow"', got: summarize(p.maxConcurrent) });
  }
  if (p.maxConcurrent !== undefined && p.maxConcurrent > 1) {
    issues.push({
      path: at('schedule', 'maxConcurrent'),
      expected: '1: an instance runs one process at a time (use replicas for parallel runs)',
      got: summarize(p.maxConcurrent),
    });
  }
  return {
    ...(p.cron !== undefined ? { cron: p.cron } : {}),
    ...(p.timezone !== undefined ? { timezone: p.timezone } : {}),
    ...(everyMs !== undefined ? { everyMs } : {}),
    overlap: p.overlap,
    maxConcurrent: p.maxConcurrent ?? 1,
    runAtStart: p.runAtStart,
  };
}

function cronProblem(expression: string): string | null {
  try {
    new Cron(expression, { paused: true });
    return null;
  } catch (err) {
    return (err as Error).message.replace(/^CronPattern: /, '');
  }
}

/** True for a time zone name this runtime knows (IANA names, "UTC"). */
export function isTimeZone(name: string): boolean {
  if (name.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The next run time (epoch ms) strictly after `nowMs`, or null when a cron expression has no
 * further match. `every` counts from the previous planned time, so runs do not drift by the
 * time the timer fires late; planned times already past are skipped, not caught up.
 */
export function nextRunAt(schedule: ScheduleSpec, nowMs: number, previousMs: number | null = null): number | null {
  if (schedule.everyMs !== undefined) {
    const every = Math.max(MIN_EVERY_MS, schedule.everyMs);
    if (previousMs === null) return nowMs + every;
    const missed = Math.max(0, Math.floor((nowMs - previousMs) / every));
    return previousMs + (missed + 1) * every;
  }
  if (schedule.cron === undefined) return null;
  const cron = new Cron(schedule.cron, { paused: true, ...(schedule.timezone !== undefined ? { timezone: schedule.timezone } : {}) });
  const next = cron.nextRun(new Date(nowMs));
  return next === null ? null : next.getTime();
}

/** A short description such as "every 30s" or "cron 0 3 * * * (Europe/Paris)". */
export function describeSchedule(schedule: ScheduleSpec): string {
  if (schedule.everyMs !== undefined) return `every ${formatEvery(schedule.everyMs)}`;
  return `cron ${schedule.cron ?? '?'}${schedule.timezone !== undefined ? ` (${schedule.timezone})` : ''}`;
}

function formatEvery(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
