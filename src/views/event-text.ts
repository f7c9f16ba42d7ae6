// The one wording of every event, used by `nestor events`, `watch`, the dashboard's feed and the
// TUI's feed. Every place that shows the text also shows the event's type and subject beside it,
// so the text leaves those out and says only what the payload adds.
import { runIdOf } from '../events/index.ts';
import type { NestorEvent, ProjectApplied, RunEvent } from '../events/index.ts';
import { formatDuration } from './duration.ts';

/** What an event says, in a few words (empty when the type and subject say it all). */
export function describeEvent(e: NestorEvent): string {
  switch (e.type) {
    case 'orchestrator.service.register':
      return `spec v${e.data.specVersion} from ${e.data.source}${e.data.enabled === false ? ', disabled' : ''}`;
    case 'orchestrator.service.register.rejected':
      return e.data.errors.map((x) => `${x.path}: expected ${x.expected}`).join('; ');
    case 'orchestrator.service.pending':
      return e.data.waitingFor.length ? `waiting for ${e.data.waitingFor.join(', ')}` : '';
    case 'orchestrator.service.starting':
      return e.data.attempt === 0 ? 'first start' : `attempt ${e.data.attempt}`;
    case 'orchestrator.service.ensure':
      return e.data.actions.map((a) => `${a.type} ${a.target}`).join(', ');
    case 'orchestrator.service.port.conflict':
      return `port ${e.data.portName}=${e.data.port} held by ${e.data.ownerPid === null ? 'an unknown process' : `pid ${e.data.ownerPid}`}`;
    case 'orchestrator.service.port.reclaimed':
      return `port ${e.data.portName}=${e.data.port} reclaimed from pid ${e.data.pid}`;
    case 'orchestrator.service.start':
      return `pid ${e.data.pid}, attempt ${e.data.attempt}`;
    case 'orchestrator.service.ready':
      return `pid ${e.data.pid} after ${formatDuration(e.data.elapsedMs)}${e.data.probe ? ` (${e.data.probe})` : ''}${e.data.line === undefined ? '' : `: ${e.data.line}`}`;
    case 'orchestrator.service.memory.exceeded':
      return `pid ${e.data.pid} uses ${formatBytes(e.data.rssBytes)}, limit ${formatBytes(e.data.limitBytes)}`;
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
    case 'orchestrator.service.schedule.next':
      if (e.data.schedule === null) return 'no schedule any more';
      return e.data.nextRunAt === null ? `${e.data.schedule}, no next run` : `next ${e.data.nextRunAt} (${e.data.schedule})`;
    case 'orchestrator.service.schedule.run':
      return `${e.data.trigger === 'schedule' ? 'run' : e.data.trigger === 'start' ? 'run at start' : 'queued run'} for ${e.data.scheduledAt}`;
    case 'orchestrator.service.schedule.skipped':
      return `run for ${e.data.scheduledAt} skipped (${e.data.reason})`;
    case 'orchestrator.service.retired':
      return e.data.reason;
    case 'orchestrator.service.disabled':
      return e.data.reason;
    case 'orchestrator.service.placed':
      return `on ${e.data.node}${e.data.previous === null ? '' : `, moved from ${e.data.previous}`} (${e.data.reason})`;
    case 'orchestrator.service.lost':
      return `on ${e.data.node}: ${e.data.reason}`;
    case 'orchestrator.service.unplaced':
      return e.data.reason;
    case 'orchestrator.node.draining':
      return `${e.data.draining ? 'draining' : 'undrained'} by ${e.data.requestedBy.component}@${e.data.requestedBy.node}`;
    case 'orchestrator.service.log':
      return `${e.data.stream} +${e.data.lines} lines, ${e.data.totalBytes} bytes${e.data.rotated ? ', rotated' : ''}`;
    case 'orchestrator.service.watch.changed': {
      const more = e.data.count - e.data.files.length;
      return `changed ${e.data.files.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
    }
    case 'orchestrator.command.enable':
    case 'orchestrator.command.disable':
    case 'orchestrator.command.start':
    case 'orchestrator.command.stop':
    case 'orchestrator.command.restart':
    case 'orchestrator.command.forget': {
      const by = e.data.requestedBy;
      return `by ${by.component}@${by.node}${by.user ? ` (${by.user})` : ''}`;
    }
    case 'orchestrator.node.up':
      return `pid ${e.data.pid} on ${e.data.hostname}, bus ${e.data.nats}${e.data.api ? `, api ${e.data.api}` : ''}`;
    case 'orchestrator.node.down':
      return e.data.declaredBy === undefined ? e.data.reason : `${e.data.reason} (declared by ${e.data.declaredBy})`;
    case 'orchestrator.node.broker':
      return `${e.data.status} ${e.data.url}`;
    case 'orchestrator.caddy.started':
      return `pid ${e.data.pid}, http :${e.data.http}, https :${e.data.https}, admin :${e.data.admin}`;
    case 'orchestrator.caddy.config.applied':
      return `${e.data.routes} route${e.data.routes === 1 ? '' : 's'}, ${e.data.upstreams} upstream${e.data.upstreams === 1 ? '' : 's'}`;
    case 'orchestrator.caddy.exited':
      return `pid ${e.data.pid} exited with ${e.data.signal ?? `code ${e.data.code}`}${e.data.restarting ? '; restarting' : '; not restarted'}`;
    case 'orchestrator.caddy.stopped':
      return e.data.reason;
    case 'orchestrator.caddy.cert.stored':
    case 'orchestrator.caddy.cert.restored':
      return `${e.data.count} certificate${e.data.count === 1 ? '' : 's'}${e.data.names.length > 0 ? `: ${e.data.names.join(', ')}` : ''}`;
    case 'orchestrator.snapshot.saved':
      return `through seq ${e.data.throughSeq}`;
    case 'orchestrator.project.applied':
      return describeApplied(e.data);
    case 'orchestrator.project.rejected':
      return `${e.data.source} not applied: ${e.data.errors.map((x) => `${x.path}: expected ${x.expected}`).join('; ')}`;
    case 'orchestrator.run.created':
      return `${e.data.run.experiment}@${e.data.run.version}, heartbeat every ${formatDuration(e.data.run.heartbeatIntervalMs)}${e.data.run.binding === null ? '' : ` (${e.data.run.binding.instance} on ${e.data.run.binding.node})`}`;
    case 'orchestrator.run.attached':
      return `${e.data.binding.instance} on ${e.data.binding.node}${e.data.binding.pid === null ? '' : `, pid ${e.data.binding.pid}`}`;
    case 'orchestrator.run.heartbeat':
      return `step ${e.data.step}, checkpoint ${e.data.checkpointVersion}${e.data.runtimeStatus === '' ? '' : `, ${e.data.runtimeStatus}`}`;
    case 'orchestrator.run.state':
    case 'orchestrator.run.health':
      return `${e.data.from} → ${e.data.to} (${e.data.reason})`;
    case 'orchestrator.run.command.sent':
      return `${e.data.command.type} ${e.data.command.id} by ${e.data.command.requestedBy}${Object.keys(e.data.command.params).length === 0 ? '' : ` ${JSON.stringify(e.data.command.params)}`}`;
    case 'orchestrator.run.command.delivered':
      return e.data.commandId;
    case 'orchestrator.run.command.acked':
      return `${e.data.type} ${e.data.commandId}`;
  }
}

function describeApplied(d: ProjectApplied['data']): string {
  const parts = [
    ...d.added.map((id) => `+${id}`),
    ...d.removed.map((id) => `-${id}`),
    ...d.changed.map((c) => `~${c.service} (${c.fields.join(', ')})`),
    ...d.restarted.map((id) => `↻${id}`),
  ];
  return `${d.source}: ${parts.length === 0 ? 'no change' : parts.join(' ')}, ${d.unchanged} unchanged`;
}

/** The service an event is about, `node <id>` for node events, or '' when neither. */
export function eventSubject(e: NestorEvent): string {
  if (e.type.startsWith('orchestrator.run.')) return `run ${runIdOf(e as RunEvent)}`;
  const data = e.data as { service?: unknown; node?: unknown };
  if (typeof data.service === 'string') {
    const instance = (e.data as { instance?: unknown }).instance;
    return typeof instance === 'number' ? `${data.service}@${instance}` : data.service;
  }
  if (typeof data.node === 'string') return `node ${data.node}`;
  return '';
}

/** An event type without the common `orchestrator.` prefix. */
export function shortType(type: string): string {
  return type.startsWith('orchestrator.') ? type.slice('orchestrator.'.length) : type;
}

function formatBytes(bytes: number): string {
  const mib = bytes / 1024 ** 2;
  return mib >= 1024 ? `${(mib / 1024).toFixed(1)}GiB` : `${mib.toFixed(mib < 10 ? 1 : 0)}MiB`;
}
