// Human wording of events and of one service, shared by `events`, `watch`, `status ID` and
// `replay --step`. JSON output never goes through here: it prints the contract shapes as is.
import type { NestorEvent, Stored } from '../events/index.ts';
import { formatDuration } from '../views/index.ts';
import type { ServiceDetail } from '../views/index.ts';

/** The service or node an event is about (`node <id>` for node events), or '-' . */
export function subjectOf(event: NestorEvent): string {
  const data = event.data as { service?: unknown; node?: unknown };
  if (typeof data.service === 'string') return data.service;
  if (typeof data.node === 'string') return `node ${data.node}`;
  return '-';
}

/** An event type without the common `orchestrator.` prefix. */
export function shortType(type: string): string {
  return type.startsWith('orchestrator.') ? type.slice('orchestrator.'.length) : type;
}

/** `HH:MM:SS.mmm` (UTC) of an RFC 3339 timestamp; the full text when it does not parse. */
export function clockTime(timestamp: string): string {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? timestamp : new Date(ms).toISOString().slice(11, 23);
}

/** One line for `nestor events`: `#seq time type subject detail`. */
export function eventLine(event: Stored<NestorEvent>): string {
  const detail = describeEvent(event);
  return `#${String(event.seq).padEnd(5)} ${clockTime(event.timestamp)}  ${shortType(event.type).padEnd(26)} ${subjectOf(event).padEnd(12)}${detail ? ` ${detail}` : ''}`;
}

/** What an event says, in a few words. */
export function describeEvent(e: NestorEvent): string {
  switch (e.type) {
    case 'orchestrator.service.register':
      return `spec v${e.data.specVersion} from ${e.data.source}${e.data.enabled === false ? ', disabled' : ''}`;
    case 'orchestrator.service.register.rejected':
      return e.data.errors.map((x) => `${x.path}: expected ${x.expected}`).join('; ');
    case 'orchestrator.service.pending':
      return e.data.waitingFor.length ? `waiting for ${e.data.waitingFor.join(', ')}` : '';
    case 'orchestrator.service.ensure':
      return e.data.actions.map((a) => `${a.type} ${a.target}`).join(', ');
    case 'orchestrator.service.port.conflict':
      return `port ${e.data.portName}=${e.data.port} held by ${e.data.ownerPid === null ? 'an unknown process' : `pid ${e.data.ownerPid}`}`;
    case 'orchestrator.service.port.reclaimed':
      return `port ${e.data.portName}=${e.data.port} reclaimed from pid ${e.data.pid}`;
    case 'orchestrator.service.start':
      return `pid ${e.data.pid}, attempt ${e.data.attempt}`;
    case 'orchestrator.service.ready':
      return `pid ${e.data.pid} after ${formatDuration(e.data.elapsedMs)}${e.data.probe ? ` (${e.data.probe})` : ''}`;
    case 'orchestrator.service.health':
      return `${e.data.probe} ${e.data.status}${e.data.detail ? `: ${e.data.detail}` : ''}`;
    case 'orchestrator.service.stop':
      return `${e.data.signal}${e.data.pid === null ? '' : ` to pid ${e.data.pid}`} (${e.data.reason})`;
    case 'orchestrator.service.exit': {
      const how = e.data.signal === null ? `code ${e.data.code}` : `signal ${e.data.signal}`;
      return `pid ${e.data.pid} ${how} after ${formatDuration(e.data.runtimeMs)}${e.data.expected ? '' : ', unexpected'}`;
    }
    case 'orchestrator.service.start.failed':
      return `${e.data.reason}: ${e.data.error}`;
    case 'orchestrator.service.restart.scheduled':
      return `attempt ${e.data.attempt} in ${formatDuration(e.data.delayMs)} (${e.data.reason})`;
    case 'orchestrator.service.retries.exhausted':
      return `${e.data.attempts} attempts, maxRestarts ${e.data.maxRestarts}`;
    case 'orchestrator.service.disabled':
      return e.data.reason;
    case 'orchestrator.service.log':
      return `${e.data.stream} +${e.data.lines} lines, ${e.data.totalBytes} bytes${e.data.rotated ? ', rotated' : ''}`;
    case 'orchestrator.command.enable':
    case 'orchestrator.command.disable':
    case 'orchestrator.command.start':
    case 'orchestrator.command.stop':
    case 'orchestrator.command.restart': {
      const by = e.data.requestedBy;
      return `by ${by.component}@${by.node}${by.user ? ` (${by.user})` : ''}`;
    }
    case 'orchestrator.node.up':
      return `pid ${e.data.pid} on ${e.data.hostname}, bus ${e.data.nats}${e.data.api ? `, api ${e.data.api}` : ''}`;
    case 'orchestrator.node.down':
      return e.data.reason;
    case 'orchestrator.node.broker':
      return `${e.data.status} ${e.data.url}`;
    case 'orchestrator.snapshot.saved':
      return `through seq ${e.data.throughSeq}`;
  }
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
    ['restarts', `${s.restarts} (next attempt ${s.attempt})`],
    ['health', `readiness ${s.health.readiness}, liveness ${s.health.liveness}`],
    ['depends on', s.dependencies.map((d) => `${d.id} (${d.condition})`).join(', ') || '-'],
    ['waiting for', s.waitingFor.join(', ') || '-'],
    ['last exit', exit],
    ['last error', s.lastError ?? '-'],
    ['next restart', s.nextRestartAt ?? '-'],
    ['started', s.startedAt ?? '-'],
    ['ready', s.readyAt ?? '-'],
    ['log', `${logFile ?? '-'} (${s.log.lines} lines, ${s.log.bytes} bytes)`],
  ];
  if (s.description) facts.splice(1, 0, ['description', s.description]);
  const width = Math.max(...facts.map(([k]) => k.length));
  return facts.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
}
