// Service facts that apply in every lifecycle state: registration, log metadata and accepted
// commands. Commands are intent: they change flags, never the lifecycle state, which follows
// from the facts the controller publishes next.
import type { CommandEvent, ServiceLogWritten, ServiceRegistered } from '../events/index.ts';
import { outlineSpec } from '../spec/index.ts';
import { cloneService } from './clone.ts';
import type { ServiceState } from './types.ts';

/** A new service from its first registration, or the spec fields of a re-registration over the old runtime fields. */
export function registerService(prev: ServiceState | undefined, e: ServiceRegistered): ServiceState {
  const fields = outlineSpec(e.data.service, e.data.spec);
  if (prev !== undefined) {
    return { ...prev, ...fields, node: e.origin.node, specVersion: e.data.specVersion, specHash: e.data.specHash };
  }
  return {
    id: e.data.service,
    state: 'pending',
    enabled: true,
    node: e.origin.node,
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
