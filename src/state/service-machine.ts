// The service lifecycle as a state machine: switch on the current state first, then on the
// event, one small function per state, so each state's allowed facts read in one place. A
// function returns the next ServiceState, the same object when the fact changes nothing, or
// null when the fact is impossible in that state; the reducer counts null as an ignored
// transition and keeps the state. The table in test/state/transition-table.test.ts and
// docs/events.md lists every state x event outcome.
import type {
  ServiceDisabled,
  ServiceEnsured,
  ServiceExited,
  ServiceHealthChanged,
  ServicePending,
  ServicePortConflict,
  ServicePortReclaimed,
  ServiceReady,
  ServiceRestartScheduled,
  ServiceRetriesExhausted,
  ServiceStartFailed,
  ServiceStarted,
  ServiceStarting,
  ServiceStopping,
} from '../events/index.ts';
import {
  afterExit,
  recordSpawnWhileStopping,
  startFailedWhileStopping,
  stopWithoutProcess,
  toBackoff,
  toDisabled,
  toExhausted,
  toPending,
  toReady,
  toRunning,
  toStartFailed,
  toStarting,
  toStopping,
  withHealth,
  withPortConflict,
} from './service-transitions.ts';
import type { ServiceState } from './types.ts';

/** Events whose effect depends on the lifecycle state (the others apply in every state). */
export type LifecycleEvent =
  | ServicePending
  | ServiceStarting
  | ServiceEnsured
  | ServicePortConflict
  | ServicePortReclaimed
  | ServiceStarted
  | ServiceReady
  | ServiceHealthChanged
  | ServiceStopping
  | ServiceExited
  | ServiceStartFailed
  | ServiceRestartScheduled
  | ServiceRetriesExhausted
  | ServiceDisabled;

type Step = ServiceState | null;
const IGNORED = null;

/** Next service state for a lifecycle event, or null when the event is impossible in the current state. */
export function reduceService(s: ServiceState, e: LifecycleEvent): Step {
  switch (s.state) {
    case 'pending':
      return onPending(s, e);
    case 'starting':
      return onStarting(s, e);
    case 'running':
      return onRunning(s, e);
    case 'ready':
      return onReady(s, e);
    case 'stopping':
      return onStopping(s, e);
    case 'stopped':
      return onStopped(s, e);
    case 'completed':
      return onCompleted(s, e);
    case 'backoff':
      return onBackoff(s, e);
    case 'failed':
      return onFailed(s, e);
    case 'disabled':
      return onDisabled(s, e);
    case 'lost':
      // No process anywhere: the facts a stopped instance takes (its node is back and starts it).
      return onStopped(s, e);
  }
}

// Waiting for dependencies: no process yet.
function onPending(s: ServiceState, e: LifecycleEvent): Step {
  switch (e.type) {
    case 'orchestrator.service.pending':
      return toPending(s, e);
    case 'orchestrator.service.starting':
    case 'orchestrator.service.ensure':
      return toStarting(s, e);
    case 'orchestrator.service.port.conflict':
      return withPortConflict(s, e);
    case 'orchestrator.service.port.reclaimed':
      return s;
    case 'orchestrator.service.start':
      return toRunning(s, e);
    case 'orchestrator.service.stop':
      return stopWithoutProcess(s, e.timestamp);
    case 'orchestrator.service.start.failed':
      return toStartFailed(s, e);
    case 'orchestrator.service.disabled':
      return toDisabled(s, e.timestamp);
    case 'orchestrator.service.ready':
    case 'orchestrator.service.health':
    case 'orchestrator.service.exit':
    case 'orchestrator.service.restart.scheduled':
    case 'orchestrator.service.retries.exhausted':
      return IGNORED;
  }
}

// A start was decided, spawn not yet reported: no process, but a stop must wait for the spawn's
// outcome. The ensure actions run in this state.
function onStarting(s: ServiceState, e: LifecycleEvent): Step {
  switch (e.type) {
    case 'orchestrator.service.ensure':
      return s;
    case 'orchestrator.service.port.conflict':
      return withPortConflict(s, e);
    case 'orchestrator.service.port.reclaimed':
      return s;
    case 'orchestrator.service.start':
      return toRunning(s, e);
    case 'orchestrator.service.stop':
      return toStopping(s, e.timestamp);
    case 'orchestrator.service.exit':
      return afterExit(s, e);
    case 'orchestrator.service.start.failed':
      return toStartFailed(s, e);
    case 'orchestrator.service.disabled':
      return toDisabled(s, e.timestamp);
    case 'orchestrator.service.pending':
    case 'orchestrator.service.starting':
    case 'orchestrator.service.ready':
    case 'orchestrator.service.health':
    case 'orchestrator.service.restart.scheduled':
    case 'orchestrator.service.retries.exhausted':
      return IGNORED;
  }
}

// Process alive, not yet ready.
function onRunning(s: ServiceState, e: LifecycleEvent): Step {
  switch (e.type) {
    case 'orchestrator.service.ready':
      return toReady(s, e);
    case 'orchestrator.service.health':
      return withHealth(s, e);
    case 'orchestrator.service.stop':
      return toStopping(s, e.timestamp);
    case 'orchestrator.service.exit':
      return afterExit(s, e);
    case 'orchestrator.service.pending':
    case 'orchestrator.service.starting':
    case 'orchestrator.service.ensure':
    case 'orchestrator.service.port.conflict':
    case 'orchestrator.service.port.reclaimed':
    case 'orchestrator.service.start':
    case 'orchestrator.service.start.failed':
    case 'orchestrator.service.restart.scheduled':
    case 'orchestrator.service.retries.exhausted':
    case 'orchestrator.service.disabled':
      return IGNORED;
  }
}

// Process alive and ready. A second ready or start without an exit in between is impossible.
function onReady(s: ServiceState, e: LifecycleEvent): Step {
  switch (e.type) {
    case 'orchestrator.service.health':
      return withHealth(s, e);
    case 'orchestrator.service.stop':
      return toStopping(s, e.timestamp);
    case 'orchestrator.service.exit':
      return afterExit(s, e);
    case 'orchestrator.service.pending':
    case 'orchestrator.service.starting':
    case 'orchestrator.service.ensure':
    case 'orchestrator.service.port.conflict':
    case 'orchestrator.service.port.reclaimed':
    case 'orchestrator.service.start':
    case 'orchestrator.service.ready':
    case 'orchestrator.service.start.failed':
    case 'orchestrator.service.restart.scheduled':
    case 'orchestrator.service.retries.exhausted':
    case 'orchestrator.service.disabled':
      return IGNORED;
  }
}

// Signal sent, waiting for the exit. A ready that races the stop is dropped: we are going down.
function onStopping(s: ServiceState, e: LifecycleEvent): Step {
  switch (e.type) {
    case 'orchestrator.service.start':
      return recordSpawnWhileStopping(s, e);
    case 'orchestrator.service.health':
      return withHealth(s, e);
    case 'orchestrator.service.stop':
      return s;
    case 'orchestrator.service.exit':
      return afterExit(s, e);
    case 'orchestrator.service.start.failed':
      return startFailedWhileStopping(s, e);
    case 'orchestrator.service.pending':
    case 'orchestrator.service.starting':
    case 'orchestrator.service.ensure':
    case 'orchestrator.service.port.conflict':
    case 'orchestrator.service.port.reclaimed':
    case 'orchestrator.service.ready':
    case 'orchestrator.service.restart.scheduled':
    case 'orchestrator.service.retries.exhausted':
    case 'orchestrator.service.disabled':
      return IGNORED;
  }
}

// Stopped: no process; the controller may start, restart, retry or disable it.
function onStopped(s: ServiceState, e: LifecycleEvent): Step {
  switch (e.type) {
    case 'orchestrator.service.pending':
      return toPending(s, e);
    case 'orchestrator.service.starting':
    case 'orchestrator.service.ensure':
      return toStarting(s, e);
    case 'orchestrator.service.port.conflict':
      return withPortConflict(s, e);
    case 'orchestrator.service.port.reclaimed':
      return s;
    case 'orchestrator.service.start':
      return toRunning(s, e);
    case 'orchestrator.service.start.failed':
      return toStartFailed(s, e);
    case 'orchestrator.service.restart.scheduled':
      return toBackoff(s, e);
    case 'orchestrator.service.retries.exhausted':
      return toExhausted(s, e);
    case 'orchestrator.service.disabled':
      return toDisabled(s, e.timestamp);
    case 'orchestrator.service.ready':
    case 'orchestrator.service.health':
    case 'orchestrator.service.stop':
    case 'orchestrator.service.exit':
      return IGNORED;
  }
}

// A one-shot that exited 0 takes the same facts as a stopped service (a re-run, policy "always").
function onCompleted(s: ServiceState, e: LifecycleEvent): Step {
  return onStopped(s, e);
}

// Waiting for a scheduled restart: no process; a stop cancels the restart.
function onBackoff(s: ServiceState, e: LifecycleEvent): Step {
  switch (e.type) {
    case 'orchestrator.service.pending':
      return toPending(s, e);
    case 'orchestrator.service.starting':
    case 'orchestrator.service.ensure':
      return toStarting(s, e);
    case 'orchestrator.service.port.conflict':
      return withPortConflict(s, e);
    case 'orchestrator.service.port.reclaimed':
      return s;
    case 'orchestrator.service.start':
      return toRunning(s, e);
    case 'orchestrator.service.stop':
      return stopWithoutProcess(s, e.timestamp);
    case 'orchestrator.service.start.failed':
      return toStartFailed(s, e);
    case 'orchestrator.service.restart.scheduled':
      return toBackoff(s, e);
    case 'orchestrator.service.retries.exhausted':
      return toExhausted(s, e);
    case 'orchestrator.service.disabled':
      return toDisabled(s, e.timestamp);
    case 'orchestrator.service.ready':
    case 'orchestrator.service.health':
    case 'orchestrator.service.exit':
      return IGNORED;
  }
}

// Start failed or retries exhausted: only a new start (after a command) or a retry leaves it.
function onFailed(s: ServiceState, e: LifecycleEvent): Step {
  switch (e.type) {
    case 'orchestrator.service.pending':
      return toPending(s, e);
    case 'orchestrator.service.starting':
    case 'orchestrator.service.ensure':
      return toStarting(s, e);
    case 'orchestrator.service.port.conflict':
      return withPortConflict(s, e);
    case 'orchestrator.service.port.reclaimed':
      return s;
    case 'orchestrator.service.start':
      return toRunning(s, e);
    case 'orchestrator.service.start.failed':
      return toStartFailed(s, e);
    case 'orchestrator.service.restart.scheduled':
      return toBackoff(s, e);
    case 'orchestrator.service.retries.exhausted':
      return toExhausted(s, e);
    case 'orchestrator.service.disabled':
      return toDisabled(s, e.timestamp);
    case 'orchestrator.service.ready':
    case 'orchestrator.service.health':
    case 'orchestrator.service.stop':
    case 'orchestrator.service.exit':
      return IGNORED;
  }
}

// Disabled: no process. After command.enable the controller starts it again (pending/ensure/start).
function onDisabled(s: ServiceState, e: LifecycleEvent): Step {
  switch (e.type) {
    case 'orchestrator.service.pending':
      return toPending(s, e);
    case 'orchestrator.service.starting':
    case 'orchestrator.service.ensure':
      return toStarting(s, e);
    case 'orchestrator.service.port.conflict':
      return withPortConflict(s, e);
    case 'orchestrator.service.port.reclaimed':
      return s;
    case 'orchestrator.service.start':
      return toRunning(s, e);
    case 'orchestrator.service.start.failed':
      return toStartFailed(s, e);
    case 'orchestrator.service.disabled':
      return toDisabled(s, e.timestamp);
    case 'orchestrator.service.ready':
    case 'orchestrator.service.health':
    case 'orchestrator.service.stop':
    case 'orchestrator.service.exit':
    case 'orchestrator.service.restart.scheduled':
    case 'orchestrator.service.retries.exhausted':
      return IGNORED;
  }
}
