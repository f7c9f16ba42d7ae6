// Service facts that apply in every lifecycle state: registration, log metadata and accepted
// commands. Commands are intent: they change flags, never the lifecycle state, which follows
// from the facts the controller publishes next.
import type { CommandEvent, ServiceLogWritten, ServiceRegistered, ServiceScheduleNext } from '../events/index.ts';
import { instanceKey } from '../events/index.ts';
import { outlineSpec } from '../spec/index.ts';
import type { SpecOutline } from '../spec/index.ts';
import { cloneService } from './clone.ts';
import type { ServiceState } from './types.ts';

/** The spec fields every instance of a registered service shares. */
export function registrationOutline(e: ServiceRegistered): SpecOutline {
  return outlineSpec(e.data.service, e.data.spec);
}

/**
 * One instance from its service's first registration, or the spec fields of a re-registration
 * over its old runtime fields. A service without placement runs on the node that registered it;
 * a placed instance keeps the node that holds it (a `placed` event moves it), '' until it has one.
 */
export function registerInstance(prev: ServiceState | undefined, e: ServiceRegistered, fields: SpecOutline, instance: number): ServiceState {
  const node = fields.placement === null ? e.origin.node : (prev?.node ?? '');
  if (prev !== undefined) {
    return { ...prev, ...fields, node, registeredBy: e.origin.node, specVersion: e.data.specVersion, specHash: e.data.specHash };
  }
  return {
    id: instanceKey(e.data.service, instance),
    service: e.data.service,
    instance,
    state: 'pending',
    enabled: true,
    node,
    registeredBy: e.origin.node,
    ...fields,
    specVersion: e.data.specVersion,
    specHash: e.data.specHash,
    pid: null,
    ports: {},
    restarts: 0,
    restartsTotal: 0,
    restartPending: false,
    attempt: 0,
    restartRequested: false,
    waitingFor: [],
    lastExit: null,
    lastError: null,
    nextRestartAt: null,
    nextRunAt: null,
    schedule: null,
    health: { readiness: 'unknown', liveness: 'unknown' },
    log: { bytes: 0, lines: 0 },
    since: e.timestamp,
    startedAt: null,
    readyAt: null,
    lastSeq: 0,
  };
}

/** Log output counters grow by what the event reports. */
export function addLog(s: ServiceState, e: ServiceLogWritten): ServiceState {
  const n = cloneService(s);
  n.log = { bytes: s.log.bytes + e.data.bytes, lines: s.log.lines + e.data.lines };
  return n;
}

/** A scheduled oneshot's next planned run. */
export function withNextRun(s: ServiceState, e: ServiceScheduleNext): ServiceState {
  if (s.nextRunAt === e.data.nextRunAt && s.schedule === e.data.schedule) return s;
  const n = cloneService(s);
  n.nextRunAt = e.data.nextRunAt;
  n.schedule = e.data.schedule;
  return n;
}

/** An accepted command: enable/disable flip the flag, restart marks the next start as a restart. */
export function applyCommand(s: ServiceState, e: CommandEvent): ServiceState {
  switch (e.type) {
    case 'orchestrator.command.enable':
      return s.enabled ? s : withFlag(s, 'enabled', true);
    case 'orchestrator.command.disable':
      return s.enabled ? withFlag(s, 'enabled', false) : s;
    case 'orchestrator.command.restart':
      return s.restartRequested ? s : withFlag(s, 'restartRequested', true);
    case 'orchestrator.command.start':
    case 'orchestrator.command.stop':
    case 'orchestrator.command.forget':
      return s;
  }
}

function withFlag(s: ServiceState, flag: 'enabled' | 'restartRequested', value: boolean): ServiceState {
  const n = cloneService(s);
  n[flag] = value;
  return n;
}
