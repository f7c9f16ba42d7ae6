// The reducer: State x event -> State. Pure, never throws, and deterministic: time comes only
// from event timestamps. Impossible facts (a ready while stopped, any event for a service never
// registered) leave the state unchanged and are counted in counters.ignored / ignoredByType so a
// reordered or duplicated event cannot crash a view. Stored events at or below state.seq are
// already included and return the state as is, which makes snapshot + overlapping tail harmless.
import type { NestorEvent, Stored } from '../events/index.ts';
import { cloneService } from './clone.ts';
import { getService } from './lookup.ts';
import { nodeBroker, nodeDown, nodeUp } from './nodes.ts';
import type { NodeOutcome } from './nodes.ts';
import { addLog, applyCommand, registerService } from './service-common.ts';
import { reduceService } from './service-machine.ts';
import type { ServiceState, State } from './types.ts';

/** The state before any event. */
export function emptyState(): State {
  return { services: {}, nodes: {}, seq: 0, counters: { applied: 0, ignored: 0, ignoredByType: {} } };
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
  const out = apply(state, event, eventSeq);
  if (out === null) {
    const byType = { ...c.ignoredByType, [event.type]: (c.ignoredByType[event.type] ?? 0) + 1 };
    const counters = { applied: c.applied, ignored: c.ignored + 1, ignoredByType: byType };
    return { services: state.services, nodes: state.nodes, seq, counters };
  }
  // A literal rather than a spread: measurably faster, and the type still checks every field.
  const counters = { applied: c.applied + 1, ignored: c.ignored, ignoredByType: c.ignoredByType };
  return { services: out.services, nodes: out.nodes, seq, counters };
}

/** Applies events in order, starting from `from` (default: the empty state). */
export function reduceAll(events: Iterable<Stored | NestorEvent>, from: State = emptyState()): State {
  let state = from;
  for (const e of events) state = reduce(state, e);
  return state;
}

// Returns the new services/nodes, or null when the event is impossible (counted as ignored).
function apply(state: State, e: NestorEvent, seq: number): NodeOutcome | null {
  switch (e.type) {
    case 'orchestrator.service.register':
      return putService(state, registerService(getService(state, e.data.service), e), seq);
    case 'orchestrator.service.register.rejected':
    case 'orchestrator.snapshot.saved':
      return state;
    case 'orchestrator.service.log': {
      const s = getService(state, e.data.service);
      return s === undefined ? null : putService(state, addLog(s, e), seq);
    }
    case 'orchestrator.service.retired':
      return retire(state, e.data.service);
    case 'orchestrator.command.enable':
    case 'orchestrator.command.disable':
    case 'orchestrator.command.start':
    case 'orchestrator.command.stop':
    case 'orchestrator.command.restart':
    case 'orchestrator.command.forget': {
      const s = getService(state, e.data.service);
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
      const s = getService(state, e.data.service);
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
  }
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
