// Scheduled oneshots in the controller: planning the next run, starting a run when its time
// comes, and the overlap policy when the previous run still runs. The shell holds the timer
// (scheduleRun/cancelRun effects) and reports its firing as a runDue input; time comes in
// through DecideContext, so every rule here is a pure function of the model and `now`.
import { describeSchedule, nextRunAt } from '../../spec/index.ts';
import type { Draft } from './draft.ts';
import { enterPending, stopIdle } from './lifecycle.ts';
import { publish, refOf } from './model.ts';
import type { DecideContext, Input, Supervised } from './model.ts';

/** Phases in which a run is under way (or about to be): a new one would overlap it. */
const BUSY: ReadonlySet<Supervised['phase']> = new Set(['pending', 'starting', 'running', 'ready', 'stopping', 'backoff']);

const iso = (ms: number): string => new Date(ms).toISOString();

/** True for a service that runs on a schedule. */
export function isScheduled(svc: Supervised): boolean {
  return svc.spec.schedule !== undefined;
}

/**
 * A scheduled service coming up (registered or enabled): runs at once with runAtStart, else
 * rests in `stopped` until its first time. Either way its next time is planned.
 */
export function bringUpScheduled(d: Draft, svc: Supervised, ctx: DecideContext, trigger: 'start' | 'enable'): void {
  const schedule = svc.spec.schedule;
  if (schedule === undefined) return;
  if (schedule.runAtStart && trigger === 'start') startRun(d, svc, 'start', iso(ctx.nowMs));
  else {
    // pending first: a `stopped` reached from registration or from disabled reads the same in every view.
    enterPending(d, svc);
    stopIdle(d, svc, 'waiting for its schedule');
  }
  planNext(d, svc, ctx.nowMs, null);
}

/** Plans the next run after `nowMs` (publishing it and arming the shell's timer). */
export function planNext(d: Draft, svc: Supervised, nowMs: number, previousMs: number | null): void {
  const schedule = svc.spec.schedule;
  if (schedule === undefined) return;
  if (svc.nextRunAt !== null) d.emit({ kind: 'cancelRun', service: svc.id });
  const at = nextRunAt(schedule, nowMs, previousMs);
  svc.nextRunAt = at;
  d.emit(publish('orchestrator.service.schedule.next', { ...refOf(svc), nextRunAt: at === null ? null : iso(at), schedule: describeSchedule(schedule) }));
  if (at !== null) d.emit({ kind: 'scheduleRun', service: svc.id, atMs: at });
}

/** Stops planning runs (the service was stopped or disabled by a user); a queued run is dropped. */
export function pauseSchedule(d: Draft, svc: Supervised): void {
  const schedule = svc.spec.schedule;
  svc.queuedRun = null;
  if (svc.nextRunAt === null || schedule === undefined) return;
  svc.nextRunAt = null;
  d.emit({ kind: 'cancelRun', service: svc.id }, publish('orchestrator.service.schedule.next', { ...refOf(svc), nextRunAt: null, schedule: describeSchedule(schedule) }));
}

/** A new spec without a schedule replaced one with it: the plan and the views' schedule go. */
export function dropSchedule(d: Draft, svc: Supervised): void {
  svc.queuedRun = null;
  if (svc.nextRunAt !== null) d.emit({ kind: 'cancelRun', service: svc.id });
  svc.nextRunAt = null;
  d.emit(publish('orchestrator.service.schedule.next', { ...refOf(svc), nextRunAt: null, schedule: null }));
}

/** After a command: a service that may run again gets its schedule back, one kept down loses it. */
export function afterScheduleCommand(d: Draft, svc: Supervised | undefined, ctx: DecideContext): void {
  if (svc === undefined || !isScheduled(svc)) return;
  if (!svc.enabled || !svc.wanted) pauseSchedule(d, svc);
  else if (svc.nextRunAt === null) planNext(d, svc, ctx.nowMs, null);
}

/** The shell's timer fired for a planned run. */
export function onRunDue(d: Draft, input: Extract<Input, { kind: 'runDue' }>, ctx: DecideContext): void {
  const svc = d.get(input.service);
  const schedule = svc?.spec.schedule;
  // A timer of a plan that was replaced (new spec, paused) fires for nothing.
  if (svc === undefined || schedule === undefined || svc.nextRunAt !== input.atMs) return;
  if (d.shutdown !== 'running') return;
  // Timers are capped (about 24.8 days in Node): one that fired early is set again.
  if (ctx.nowMs < input.atMs) return d.emit({ kind: 'scheduleRun', service: svc.id, atMs: input.atMs });
  const scheduledAt = iso(input.atMs);
  // Its timer has fired: nothing to cancel before the next one is armed.
  svc.nextRunAt = null;
  if (!BUSY.has(svc.phase)) startRun(d, svc, 'schedule', scheduledAt);
  else overlap(d, svc, scheduledAt);
  planNext(d, svc, ctx.nowMs, input.atMs);
}

function overlap(d: Draft, svc: Supervised, scheduledAt: string): void {
  const policy = svc.spec.schedule?.overlap ?? 'skip';
  const skip = (reason: string): void =>
    d.emit(publish('orchestrator.service.schedule.skipped', { ...refOf(svc), scheduledAt, overlap: policy, reason }));
  switch (policy) {
    case 'skip':
      return skip('the previous run still runs');
    case 'allow':
      return skip(`maxConcurrent ${svc.spec.schedule?.maxConcurrent ?? 1} reached`);
    case 'queue':
      if (svc.queuedRun !== null) return skip('a run is already queued');
      svc.queuedRun = scheduledAt;
      return;
  }
}

/** After a run ended (completed or failed, no restart on its way): the queued run starts now. */
export function runQueued(d: Draft, svc: Supervised | undefined): void {
  if (svc === undefined || svc.queuedRun === null || BUSY.has(svc.phase)) return;
  const scheduledAt = svc.queuedRun;
  svc.queuedRun = null;
  if (!svc.enabled || !svc.wanted || d.shutdown !== 'running') return;
  startRun(d, svc, 'queue', scheduledAt);
}

// A run is a fresh start: a failure streak of the previous run does not count against it.
function startRun(d: Draft, svc: Supervised, trigger: 'schedule' | 'start' | 'queue', scheduledAt: string): void {
  svc.attempt = 0;
  d.emit(publish('orchestrator.service.schedule.run', { ...refOf(svc), scheduledAt, trigger }));
  enterPending(d, svc);
}
