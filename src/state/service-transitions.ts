// Building blocks of the service state machine: each returns the next ServiceState for one
// kind of fact, or null when the fact contradicts what is known (a stale pid), which the
// reducer counts as ignored. Each clones the service once and sets the changed fields on the
// fresh copy (see clone.ts for why not a spread); the input is never modified.
import type {
  ServiceEnsured,
  ServiceExited,
  ServiceHealthChanged,
  ServicePending,
  ServicePortConflict,
  ServiceReady,
  ServiceRestartScheduled,
  ServiceRetriesExhausted,
  ServiceStartFailed,
  ServiceStarted,
  ServiceStarting,
} from '../events/index.ts';
import { cloneService } from './clone.ts';
import type { LifecycleState, ServiceState } from './types.ts';

const UNKNOWN_HEALTH: ServiceState['health'] = { readiness: 'unknown', liveness: 'unknown' };
const NONE: string[] = [];

/** Where a service rests when it has no process and nothing will start it: stopped, or disabled once disabled. */
export function restingState(s: ServiceState): LifecycleState {
  return s.enabled ? 'stopped' : 'disabled';
}

// A copy of `s` in lifecycle state `to`; `since` moves only when the state changes, and the
// fields that only mean something in one state are cleared when leaving it.
function moveTo(s: ServiceState, to: LifecycleState, timestamp: string): ServiceState {
  const n = cloneService(s);
  if (s.state !== to) {
    n.state = to;
    n.since = timestamp;
    if (to !== 'pending') n.waitingFor = NONE;
    if (to !== 'backoff') n.nextRestartAt = null;
    n.restartPending = false;
  }
  return n;
}

/** `pending`: waiting for the listed dependencies. */
export function toPending(s: ServiceState, e: ServicePending): ServiceState {
  const n = moveTo(s, 'pending', e.timestamp);
  n.waitingFor = e.data.waitingFor;
  return n;
}

/**
 * `starting`: a start was decided (or, in histories written before that event existed, the ensure
 * actions ran). Only an enabled service is started, so the service is enabled: a `nestor up`
 * whose profiles enable a service an earlier `up` disabled says so by starting it.
 */
export function toStarting(s: ServiceState, e: ServiceStarting | ServiceEnsured): ServiceState {
  const n = moveTo(s, 'starting', e.timestamp);
  n.enabled = true;
  if (e.type === 'orchestrator.service.starting') n.attempt = e.data.attempt;
  if (n.attempt > 0 || s.restartRequested) countRestart(n);
  n.restartRequested = false;
  return n;
}

/** `running`: a process was spawned; a start that no `starting` preceded counts its restart here. */
export function toRunning(s: ServiceState, e: ServiceStarted): ServiceState {
  const n = moveTo(s, 'running', e.timestamp);
  if (s.state !== 'starting' && (e.data.attempt > 0 || s.restartRequested)) countRestart(n);
  n.restartRequested = false;
  n.pid = e.data.pid;
  n.ports = e.data.ports;
  n.attempt = e.data.attempt;
  n.startedAt = e.timestamp;
  n.readyAt = null;
  n.health = UNKNOWN_HEALTH;
  return n;
}

// A restart counts when it begins (the service enters `starting` with attempt > 0, or after a
// restart command), so a start that fails before any process exists (a missing command) counts
// like a crash: "gave up after 5 attempts" shows 5 restarts.
function countRestart(n: ServiceState): void {
  n.restarts += 1;
  n.restartsTotal += 1;
}

/** A spawn that raced a stop (starting → stopping → start): record the process, keep stopping. */
export function recordSpawnWhileStopping(s: ServiceState, e: ServiceStarted): ServiceState | null {
  if (s.pid !== null) return null;
  const n = cloneService(s);
  n.pid = e.data.pid;
  n.ports = e.data.ports;
  n.attempt = e.data.attempt;
  n.startedAt = e.timestamp;
  return n;
}

/** `ready`: readiness passed. A ready for a process other than the current one is stale. */
export function toReady(s: ServiceState, e: ServiceReady): ServiceState | null {
  if (s.pid !== null && e.data.pid !== s.pid) return null;
  const n = moveTo(s, 'ready', e.timestamp);
  n.pid = e.data.pid;
  if (Object.keys(e.data.ports).length > 0) n.ports = e.data.ports;
  n.readyAt = e.timestamp;
  n.lastError = null;
  if (e.data.probe !== null) n.health = { readiness: 'passing', liveness: s.health.liveness };
  return n;
}

/** `stopping`: the stop signal was sent; an exit follows. */
export function toStopping(s: ServiceState, timestamp: string): ServiceState {
  return moveTo(s, 'stopping', timestamp);
}

/** A stop of a service that has no process (pending, backoff): it rests at once. */
export function stopWithoutProcess(s: ServiceState, timestamp: string): ServiceState {
  const n = moveTo(s, restingState(s), timestamp);
  n.pid = null;
  return n;
}

/**
 * The process exited. After a stop it rests (stopped, or disabled when disabled); a one-shot
 * that exits 0 on its own is completed; anything else is stopped with the exit recorded, and a
 * restart.scheduled or retries.exhausted normally follows.
 */
export function afterExit(s: ServiceState, e: ServiceExited): ServiceState | null {
  if (s.pid !== null && e.data.pid !== s.pid) return null;
  const clean = e.data.code === 0 && e.data.signal === null;
  const to: LifecycleState =
    s.state === 'stopping'
      ? restingState(s)
      : s.kind === 'oneshot' && clean
        ? 'completed'
        : e.data.failed === true
          ? 'failed'
          : 'stopped';
  const n = moveTo(s, to, e.timestamp);
  n.pid = null;
  n.lastExit = { code: e.data.code, signal: e.data.signal, at: e.timestamp };
  if (to === 'completed') n.lastError = null;
  if (to === 'failed') n.lastError = e.data.signal !== null ? `killed by ${e.data.signal}` : `exited with code ${e.data.code}`;
  n.restartPending = e.data.restart === true;
  n.health = UNKNOWN_HEALTH;
  return n;
}

/** `failed`: the start failed before a process existed. */
export function toStartFailed(s: ServiceState, e: ServiceStartFailed): ServiceState {
  const n = moveTo(s, 'failed', e.timestamp);
  n.pid = null;
  n.attempt = e.data.attempt;
  n.lastError = `${e.data.reason}: ${e.data.error}`;
  n.restartPending = e.data.restart === true;
  return n;
}

/** A start that failed while a stop was under way: no exit will come, so the service rests. */
export function startFailedWhileStopping(s: ServiceState, e: ServiceStartFailed): ServiceState {
  const n = moveTo(s, restingState(s), e.timestamp);
  n.pid = null;
  n.attempt = e.data.attempt;
  n.lastError = `${e.data.reason}: ${e.data.error}`;
  return n;
}

/** `backoff`: a restart is due at timestamp + delay. */
export function toBackoff(s: ServiceState, e: ServiceRestartScheduled): ServiceState {
  const n = moveTo(s, 'backoff', e.timestamp);
  n.attempt = e.data.attempt;
  n.nextRestartAt = addMs(e.timestamp, e.data.delayMs);
  return n;
}

/** `failed`: no more restarts. */
export function toExhausted(s: ServiceState, e: ServiceRetriesExhausted): ServiceState {
  const n = moveTo(s, 'failed', e.timestamp);
  n.pid = null;
  // The cause of the last failure stays readable: it is what `nestor status` is asked for.
  const cause = s.lastError === null || s.lastError.startsWith('retries exhausted') ? '' : `; last error: ${s.lastError}`;
  n.restartPending = false;
  n.lastError = `retries exhausted after ${e.data.attempts} attempts (maxRestarts ${e.data.maxRestarts})${cause}`;
  n.nextRestartAt = null;
  return n;
}

/** `disabled`: no process, stays down until enabled. */
export function toDisabled(s: ServiceState, timestamp: string): ServiceState {
  const n = moveTo(s, 'disabled', timestamp);
  n.enabled = false;
  n.pid = null;
  return n;
}

/** A port conflict is remembered as the last error; the start.failed that follows changes the state. */
export function withPortConflict(s: ServiceState, e: ServicePortConflict): ServiceState {
  const owner = e.data.ownerPid === null ? 'another process' : `pid ${e.data.ownerPid}`;
  const command = e.data.ownerCommand ? ` (${e.data.ownerCommand})` : '';
  const n = cloneService(s);
  n.lastError = `port ${e.data.portName} (${e.data.port}) is held by ${owner}${command}`;
  return n;
}

/** A probe changed status. */
export function withHealth(s: ServiceState, e: ServiceHealthChanged): ServiceState {
  const n = cloneService(s);
  n.health =
    e.data.probe === 'readiness'
      ? { readiness: e.data.status, liveness: s.health.liveness }
      : { readiness: s.health.readiness, liveness: e.data.status };
  return n;
}

/** The live process is gone because its node restarted or went down; nobody supervises it now. */
export function orphaned(s: ServiceState, timestamp: string, why: string): ServiceState {
  const n = moveTo(s, restingState(s), timestamp);
  n.pid = null;
  n.lastError = why;
  n.health = UNKNOWN_HEALTH;
  n.nextRestartAt = null;
  return n;
}

/** RFC 3339 timestamp plus a delay, or null when the timestamp does not parse. */
function addMs(timestamp: string, ms: number): string | null {
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? null : new Date(t + ms).toISOString();
}
