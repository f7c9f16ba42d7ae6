// Transitions shared by process observations and commands: entering pending, stopping a
// process, and deciding between a restart and giving up.
import type { Draft } from './draft.ts';
import { nextDelay, restartsLeft } from './backoff.ts';
import { unmetDependencies } from './gating.ts';
import { publish, refOf } from './model.ts';
import type { DecideContext, Supervised } from './model.ts';

/** Moves a service to pending; settle() starts it once its dependencies are met. */
export function enterPending(d: Draft, svc: Supervised): void {
  svc.phase = 'pending';
  svc.waitingFor = unmetDependencies(svc, d);
  d.emit(publish('orchestrator.service.pending', { ...refOf(svc), waitingFor: svc.waitingFor }));
}

/** Decides a start: published as `service.starting` so every view enters `starting` with the controller. */
export function beginStart(d: Draft, svc: Supervised): void {
  svc.phase = 'starting';
  d.emit(publish('orchestrator.service.starting', { ...refOf(svc), attempt: svc.attempt }), {
    kind: 'spawn',
    service: svc.id,
    attempt: svc.attempt,
  });
}

/** Signals a live process to stop; `then` says what happens once it has exited. */
export function stopProcess(d: Draft, svc: Supervised, reason: string, then: Supervised['afterStop'], timeoutMs?: number): void {
  const { stopSignal } = svc.spec.process;
  const stopTimeoutMs = Math.min(svc.spec.process.stopTimeoutMs, timeoutMs ?? Infinity);
  svc.afterStop = then;
  if (svc.phase === 'stopping') return;
  svc.phase = 'stopping';
  d.emit(
    publish('orchestrator.service.stop', { ...refOf(svc), pid: svc.pid, reason, signal: stopSignal, timeoutMs: stopTimeoutMs }),
    { kind: 'signal', service: svc.id, signal: stopSignal, timeoutMs: stopTimeoutMs },
  );
}

/** Marks a service without a process as stopped (pid null in the stop event means "at once"). */
export function stopIdle(d: Draft, svc: Supervised, reason: string): void {
  if (svc.phase === 'backoff') d.emit({ kind: 'cancelRestart', service: svc.id });
  svc.phase = 'stopped';
  d.emit(publish('orchestrator.service.stop', { ...refOf(svc), pid: null, reason, signal: 'none', timeoutMs: 0 }));
}

/** Disables a service that has no process. */
export function disableIdle(d: Draft, svc: Supervised, reason: string): void {
  if (svc.phase === 'backoff') d.emit({ kind: 'cancelRestart', service: svc.id });
  svc.phase = 'disabled';
  svc.pid = null;
  d.emit(publish('orchestrator.service.disabled', { ...refOf(svc), reason }));
}

/** After a failure: schedule the next restart with backoff, or give up when none is left. */
export function restartOrGiveUp(d: Draft, svc: Supervised, reason: string, ctx: DecideContext): void {
  const tuning = svc.spec.restart;
  if (!restartsLeft(svc.attempt, tuning)) {
    svc.phase = 'failed';
    d.emit(
      publish('orchestrator.service.retries.exhausted', {
        ...refOf(svc),
        attempts: svc.attempt,
        maxRestarts: tuning.maxRestarts ?? 0,
      }),
    );
    return;
  }
  svc.attempt += 1;
  const delayMs = nextDelay(svc.attempt, tuning, ctx.jitter);
  svc.phase = 'backoff';
  const scheduled = publish('orchestrator.service.restart.scheduled', { ...refOf(svc), attempt: svc.attempt, delayMs, reason });
  // No delay: start in this same decision. A timer of 0 would still cost an event-loop turn (at
  // least 1 ms in Node) and a second pass through the input queue before the spawn.
  if (delayMs === 0) {
    d.emit(scheduled);
    return beginStart(d, svc);
  }
  d.emit(scheduled, { kind: 'scheduleRestart', service: svc.id, delayMs });
}

/** True while a restart is on its way: waiting out its delay, or (an immediate one) already starting. */
export function restartUnderway(svc: Supervised | undefined): boolean {
  return svc?.phase === 'backoff' || svc?.phase === 'starting';
}
