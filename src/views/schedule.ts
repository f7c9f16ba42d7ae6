// How a scheduled oneshot's next run reads in every view: "next 12:05:00 (in 3m 10s)" in
// tables and detail panes, "in 3m" where a column is narrow. Local time of the viewer, with the
// date once the run is not within the next day. `now` is an argument, so the views stay pure.
import type { ServiceState } from '../state/index.ts';
import { formatDuration } from './duration.ts';

const DAY_MS = 86_400_000;
const pad = (n: number): string => String(n).padStart(2, '0');

/** "next 12:05:00 (in 3m 10s)", or null when no run is planned; without `now`, the time alone. */
export function nextRunText(s: Pick<ServiceState, 'nextRunAt'>, now?: Date): string | null {
  if (s.nextRunAt === null) return null;
  const at = new Date(s.nextRunAt);
  if (Number.isNaN(at.getTime())) return null;
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  if (now === undefined) return `next ${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`;
  const inMs = at.getTime() - now.getTime();
  const day = inMs >= DAY_MS ? `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ` : '';
  return `next ${day}${time} (${inMs <= 0 ? 'due now' : `in ${formatDuration(inMs)}`})`;
}

/** "in 3m" (the largest unit only), for a narrow column; null when no run is planned. */
export function nextRunShort(s: Pick<ServiceState, 'nextRunAt'>, now: Date): string | null {
  if (s.nextRunAt === null) return null;
  const inMs = Date.parse(s.nextRunAt) - now.getTime();
  if (Number.isNaN(inMs)) return null;
  return inMs <= 0 ? 'due' : `in ${formatDuration(inMs).split(' ')[0] ?? ''}`;
}

/** The schedule with its next run, for a detail line: "every 30s, next 12:05:00 (in 10s)". */
export function scheduleText(s: Pick<ServiceState, 'nextRunAt' | 'schedule'>, now?: Date): string | null {
  if (s.schedule === null) return null;
  return `${s.schedule}, ${nextRunText(s, now) ?? 'no next run (stopped or disabled)'}`;
}
