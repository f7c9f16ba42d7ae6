// The CLI's lines for events and for one service (`events`, `watch`, `status ID`); the wording
// of an event itself comes from src/views, shared with the UIs. JSON output never goes through
// here: it prints the contract shapes as is.
import type { NestorEvent, Stored } from '../events/index.ts';
import { describeEvent, eventSubject, selectHealth, shortType } from '../views/index.ts';
import type { ServiceDetail } from '../views/index.ts';

/** `HH:MM:SS.mmm` (UTC) of an RFC 3339 timestamp; the full text when it does not parse. */
export function clockTime(timestamp: string): string {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? timestamp : new Date(ms).toISOString().slice(11, 23);
}

/** One line for `nestor events`: `#seq time type subject detail`. */
export function eventLine(event: Stored<NestorEvent>): string {
  const detail = describeEvent(event);
  return `#${String(event.seq).padEnd(5)} ${clockTime(event.timestamp)}  ${shortType(event.type).padEnd(26)} ${(eventSubject(event) || '-').padEnd(12)}${detail ? ` ${detail}` : ''}`;
}

/** `nestor status ID`: one `key  value` line per fact. */
export function serviceDetailLines(s: ServiceDetail, logFile: string | null): string[] {
  const exit = s.lastExit === null ? '-' : `${s.lastExit.signal === null ? `code ${s.lastExit.code}` : `signal ${s.lastExit.signal}`} at ${s.lastExit.at}`;
  const facts: [string, string][] = [
    ['service', s.displayName && s.displayName !== s.id ? `${s.id} (${s.displayName})` : s.id],
    ['state', `${s.state} since ${s.since}`],
    ['enabled', s.enabled ? 'yes' : 'no'],
    ['node', s.node],
    ['kind', s.kind],
    ['pid', s.pid === null ? '-' : String(s.pid)],
    ['ports', s.portList.join(', ') || '-'],
    ['uptime', s.uptime],
    ['restarts', `${s.restarts} this run, ${s.restartsTotal} in all (next attempt ${s.attempt})`],
    ['health', selectHealth(s.health).text],
    ['depends on', s.dependencies.map((d) => `${d.id} (${d.condition})`).join(', ') || '-'],
    ['waiting for', s.blocked ?? (s.waitingFor.join(', ') || '-')],
    ['last exit', exit],
    ['last error', s.lastError ?? '-'],
    ['next restart', s.nextRestartAt ?? '-'],
    ...(s.schedule !== null ? [['schedule', `${s.schedule}, ${s.nextRun ?? 'no next run'}`] as [string, string]] : []),
    ['started', s.startedAt ?? '-'],
    ['ready', s.readyAt ?? '-'],
    ['log', `${logFile ?? '-'} (${s.log.lines} lines, ${s.log.bytes} bytes)`],
  ];
  if (s.description) facts.splice(1, 0, ['description', s.description]);
  const width = Math.max(...facts.map(([k]) => k.length));
  return facts.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
}
