// Event text of the dashboard's and the TUI's feeds: one sentence per event, its subject and
// its short type.
import type { NestorEvent } from '../events/index.ts';
import { formatDuration } from './duration.ts';

/** One sentence about an event, the same in every UI. */
export function summarizeEvent(e: NestorEvent): string {
  switch (e.type) {
    case 'orchestrator.service.register':
      return `spec v${e.data.specVersion} from ${e.data.source}${e.data.enabled === false ? ' (disabled)' : ''}`;
    case 'orchestrator.service.register.rejected':
      return `rejected: ${e.data.errors.length} problem(s)${e.data.errors[0] ? `, ${e.data.errors[0].path}: expected ${e.data.errors[0].expected}` : ''}`;
    case 'orchestrator.service.pending':
      return e.data.waitingFor.length === 0 ? 'pending' : `waiting for ${e.data.waitingFor.join(', ')}`;
    case 'orchestrator.service.ensure':
      return `${e.data.actions.length} ensure action(s)`;
    case 'orchestrator.service.port.conflict':
      return `port ${e.data.portName}=${e.data.port} held by ${e.data.ownerPid === null ? 'another process' : `pid ${e.data.ownerPid}`}`;
    case 'orchestrator.service.port.reclaimed':
      return `port ${e.data.portName}=${e.data.port} reclaimed from pid ${e.data.pid}`;
    case 'orchestrator.service.start':
      return `pid ${e.data.pid} started (attempt ${e.data.attempt})${portText(e.data.ports)}`;
    case 'orchestrator.service.ready':
      return `pid ${e.data.pid} ready in ${formatDuration(e.data.elapsedMs)}`;
    case 'orchestrator.service.health':
      return `${e.data.probe} ${e.data.status}${e.data.latencyMs === null ? '' : ` (${e.data.latencyMs.toFixed(1)} ms)`}`;
    case 'orchestrator.service.stop':
      return `${e.data.signal} to pid ${e.data.pid ?? '-'} (${e.data.reason})`;
    case 'orchestrator.service.exit':
      return `pid ${e.data.pid} exited with ${e.data.code !== null ? `code ${e.data.code}` : `signal ${e.data.signal ?? '?'}`} after ${formatDuration(e.data.runtimeMs)}${e.data.expected ? '' : ' (unexpected)'}`;
    case 'orchestrator.service.start.failed':
      return `start failed (${e.data.reason}): ${e.data.error}`;
    case 'orchestrator.service.restart.scheduled':
      return `restart ${e.data.attempt} in ${formatDuration(e.data.delayMs)} (${e.data.reason})`;
    case 'orchestrator.service.retries.exhausted':
      return `gave up after ${e.data.attempts} attempt(s) (max ${e.data.maxRestarts})`;
    case 'orchestrator.service.disabled':
      return `disabled (${e.data.reason})`;
    case 'orchestrator.service.log':
      return `${e.data.stream} +${e.data.lines} line(s)${e.data.rotated ? ', rotated' : ''}`;
    case 'orchestrator.command.enable':
    case 'orchestrator.command.disable':
    case 'orchestrator.command.start':
    case 'orchestrator.command.stop':
    case 'orchestrator.command.restart': {
      const by = e.data.requestedBy;
      return `${e.type.slice('orchestrator.command.'.length)} requested by ${by.user ?? by.component}@${by.node}`;
    }
    case 'orchestrator.node.up':
      return `up: pid ${e.data.pid}, nats ${e.data.nats}${e.data.api === null ? '' : `, api ${e.data.api}`}`;
    case 'orchestrator.node.down':
      return `down: ${e.data.reason}`;
    case 'orchestrator.node.broker':
      return `broker ${e.data.status} (${e.data.url})`;
    case 'orchestrator.snapshot.saved':
      return `snapshot through #${e.data.throughSeq}`;
  }
}

function portText(ports: Record<string, number>): string {
  const list = Object.entries(ports).map(([n, p]) => `${n}:${p}`);
  return list.length === 0 ? '' : `, ports ${list.join(' ')}`;
}

/** The service an event is about, `node <id>` for node events, or '' when neither. */
export function eventSubject(e: NestorEvent): string {
  const data = e.data as { service?: unknown; node?: unknown };
  if (typeof data.service === 'string') return data.service;
  if (typeof data.node === 'string') return `node ${data.node}`;
  return '';
}

/** An event type without the common `orchestrator.` prefix. */
export function shortType(type: string): string {
  return type.startsWith('orchestrator.') ? type.slice('orchestrator.'.length) : type;
}
