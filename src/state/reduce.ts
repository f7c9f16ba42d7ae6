// The reducer: State x event -> State. Pure, never throws, and deterministic: time comes only
// from event timestamps. Impossible facts (a ready while stopped, any event for a service never
// registered) leave the state unchanged and are counted in counters.ignored / ignoredByType so a
// reordered or duplicated event cannot crash a view. Stored events at or below state.seq are
// already included and return the state as is, which makes snapshot + overlapping tail harmless.
import { instanceKey, keyOf } from '../events/index.ts';
import type { NestorEvent, RunEvent, ServiceRegistered, ServiceScopedEvent, Stored } from '../events/index.ts';
import { cloneService } from './clone.ts';
import { getService } from './lookup.ts';
import { nodeBroker, nodeDown, nodeDraining, nodeUp } from './nodes.ts';
import { nodeCaddy } from './caddy.ts';
import type { NodeOutcome } from './nodes.ts';
import { memoryExceeded } from './limits.ts';
import { lost, placed, unplaced } from './placement.ts';
import { addLog, applyCommand, registerInstance, registrationOutline, withNextRun } from './service-common.ts';
import { reduceService } from './service-machine.ts';
import { emptyRunTable, reduceRun } from './runs.ts';
import type { ServiceState, State } from './types.ts';

/** The state before any event. */
export function emptyState(): State {
  return { services: {}, nodes: {}, runs: emptyRunTable(), seq: 0, counters: { applied: 0, ignored: 0, ignoredByType: {} } };
}

/** The stream sequence of a stored event, or 0 for an event that was never stored. */
export function seqOf(event: Stored | NestorEvent): number {
  const seq = (event as { seq?: unknown }).seq;
  return typeof seq === 'number' && seq > 0 ? seq : 0;
}

/** Applies one event. The stream sequence is taken from the event when it carries one. */
export function reduce(state: State, event: Stored | NestorEvent): State {
  const eventSeq = seqOf(event);
  if (eventSeq > 0 && eventSeq <= state.seq) return state;
  const seq = eventSeq > 0 ? eventSeq : state.seq;
  const c = state.counters;
  // Runs live beside the services and never touch them.
  const runs = isRunEvent(event) ? reduceRun(state.runs, event) : state.runs;
  const out = runs === null ? null : isRunEvent(event) ? state : apply(state, event, eventSeq);
  if (out === null || runs === null) {
    const byType = { ...c.ignoredByType, [event.type]: (c.ignoredByType[event.type] ?? 0) + 1 };
    const counters = { applied: c.applied, ignored: c.ignored + 1, ignoredByType: byType };
    return { services: state.services, nodes: state.nodes, runs: state.runs, seq, counters };
  }
  // A literal rather than a spread: measurably faster, and the type still checks every field.
  const counters = { applied: c.applied + 1, ignored: c.ignored, ignoredByType: c.ignoredByType };
  return { services: out.services, nodes: out.nodes, runs, seq, counters };
}

function isRunEvent(e: NestorEvent): e is RunEvent {
  return e.type.startsWith('orchestrator.run.');
}

/** Applies events in order, starting from `from` (default: the empty state). */
export function reduceAll(events: Iterable<Stored | NestorEvent>, from: State = emptyState()): State {
  let state = from;
  for (const e of events) state = reduce(state, e);
  return state;
}

// Returns the new services/nodes, or null when the event is impossible (counted as ignored).
function apply(state: State, e: Exclude<NestorEvent, RunEvent>, seq: number): NodeOutcome | null {
  switch (e.type) {
    case 'orchestrator.service.register':
      return register(state, e, seq);
    case 'orchestrator.service.register.rejected':
    case 'orchestrator.snapshot.saved':
    case 'orchestrator.project.applied':
    case 'orchestrator.project.rejected':
    case 'orchestrator.service.watch.changed':
      return state;
    case 'orchestrator.service.log': {
      const s = owned(state, e);
      return s === undefined ? null : putService(state, addLog(s, e), seq);
    }
    case 'orchestrator.service.schedule.next': {
      const s = owned(state, e);
      return s === undefined ? null : putChanged(state, s, withNextRun(s, e), seq);
    }
    case 'orchestrator.service.schedule.run':
    case 'orchestrator.service.schedule.skipped': {
      const s = owned(state, e);
      return s === undefined ? null : putChanged(state, s, s, seq);
    }
    case 'orchestrator.service.memory.exceeded': {
      const s = owned(state, e);
      const next = s === undefined ? null : memoryExceeded(s, e);
      return s === undefined || next === null ? null : putService(state, next, seq);
    }
    case 'orchestrator.service.retired':
      return e.data.instance === undefined ? retireService(state, e.data.service) : retire(state, keyOf(e.data));
    case 'orchestrator.service.placed': {
      const s = getService(state, keyOf(e.data));
      return s === undefined ? null : putService(state, placed(s, e), seq);
    }
    case 'orchestrator.service.lost':
    case 'orchestrator.service.unplaced': {
      const s = getService(state, keyOf(e.data));
      if (s === undefined || LIVE.has(s.state)) return null;
      return putService(state, e.type === 'orchestrator.service.lost' ? lost(s, e) : unplaced(s, e), seq);
    }
    case 'orchestrator.command.enable':
    case 'orchestrator.command.disable':
    case 'orchestrator.command.start':
    case 'orchestrator.command.stop':
    case 'orchestrator.command.restart':
    case 'orchestrator.command.forget': {
      const s = getService(state, keyOf(e.data));
      return s === undefined ? null : putChanged(state, s, applyCommand(s, e), seq);
    }
    case 'orchestrator.service.pending':
    case 'orchestrator.service.starting':
    case 'orchestrator.service.ensure':
    case 'orchestrator.service.port.conflict':
    case 'orchestrator.service.port.reclaimed':
    case 'orchestrator.service.start':
    case 'orchestrator.service.ready':
    case 'orchestrator.service.health':
    case 'orchestrator.service.stop':
    case 'orchestrator.service.exit':
    case 'orchestrator.service.start.failed':
    case 'orchestrator.service.restart.scheduled':
    case 'orchestrator.service.retries.exhausted':
    case 'orchestrator.service.disabled': {
      const s = owned(state, e);
      if (s === undefined) return null;
      const next = reduceService(s, e);
      return next === null ? null : putChanged(state, s, next, seq);
    }
    case 'orchestrator.node.up':
      return nodeUp(state, e, seq);
    case 'orchestrator.node.down':
      return nodeDown(state, e, seq);
    case 'orchestrator.node.broker':
      return nodeBroker(state, e);
    case 'orchestrator.node.draining':
      return nodeDraining(state, e);
    case 'orchestrator.caddy.started':
    case 'orchestrator.caddy.config.applied':
    case 'orchestrator.caddy.exited':
    case 'orchestrator.caddy.stopped':
    case 'orchestrator.caddy.cert.stored':
    case 'orchestrator.caddy.cert.restored':
      return nodeCaddy(state, e);
  }
}

// Lifecycle facts count only from the node that runs the instance: a node that was cut off
// may deliver what it held back after its instance moved, and that must not rewrite the state
// of the copy that runs elsewhere now.
function owned(state: State, e: ServiceScopedEvent): ServiceState | undefined {
  const s = getService(state, keyOf(e.data));
  return s !== undefined && (s.node === e.origin.node || s.node === '') ? s : undefined;
}

// A registration makes or updates instances 1..replicas. Instances past the new count leave
// the state once they have no process; one that still runs stays until its node has stopped
// it and retired it.
function register(state: State, e: ServiceRegistered, seq: number): NodeOutcome {
  const fields = registrationOutline(e);
  let out: NodeOutcome = state;
  for (let n = 1; n <= fields.replicas; n++) {
    const view = { services: out.services, nodes: out.nodes } as State;
    out = putService(view, registerInstance(getService(view, instanceKey(e.data.service, n)), e, fields, n), seq);
  }
  for (const id in out.services) {
    const s = out.services[id] as ServiceState;
    if (s.service !== e.data.service || s.instance <= fields.replicas || LIVE.has(s.state)) continue;
    const services = { ...out.services };
    delete services[id];
    out = { services, nodes: out.nodes };
  }
  return out;
}

// A retired service leaves the state (its events stay in the stream). One with a process, or a
// start on its way, cannot be retired: that would hide a running process from every view.
const LIVE = new Set<ServiceState['state']>(['starting', 'running', 'ready', 'stopping']);
function retire(state: State, id: string): NodeOutcome | null {
  const s = getService(state, id);
  if (s === undefined || LIVE.has(s.state)) return null;
  const services = { ...state.services };
  delete services[id];
  return { services, nodes: state.nodes };
}

// A retirement that names no instance is the whole service's (a project that no longer has it,
// a forget): every instance without a process leaves; one that still runs would be hidden.
function retireService(state: State, service: string): NodeOutcome | null {
  let services: State['services'] | null = null;
  for (const id in state.services) {
    const s = state.services[id] as ServiceState;
    if (s.service !== service) continue;
    if (LIVE.has(s.state)) return null;
    services ??= { ...state.services };
    delete services[id];
  }
  return services === null ? null : { services, nodes: state.nodes };
}

// An applied event that left the service as it was still records its sequence in lastSeq.
function putChanged(state: State, prev: ServiceState, next: ServiceState, seq: number): NodeOutcome {
  return putService(state, next === prev && seq > 0 && seq !== prev.lastSeq ? cloneService(prev) : next, seq);
}

// `next` is either the unchanged previous object (no sequence to record) or a fresh object that
// nothing else references yet, so setting lastSeq on it in place keeps the update immutable.
function putService(state: State, next: ServiceState, seq: number): NodeOutcome {
  if (next === getService(state, next.id)) return state;
  if (seq > 0) next.lastSeq = seq;
  const services = { ...state.services };
  services[next.id] = next;
  return { services, nodes: state.nodes };
}
