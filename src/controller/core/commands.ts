// Commands (enable, disable, start, stop, restart): each is checked against the service's
// phase, answered with a reply, and when accepted recorded as an orchestrator.command.* event
// before the transitions it causes.
import { instanceKey, instanceRef, parseInstance } from '../../events/index.ts';
import type { InstanceRef } from '../../events/index.ts';
import type { CommandVerb } from '../../events/index.ts';
import type { Draft } from './draft.ts';
import { isAlive } from './gating.ts';
import { disableIdle, enterPending, stopIdle, stopProcess } from './lifecycle.ts';
import { publish } from './model.ts';
import type { CommandErrorCode, DecideContext, Input, Supervised } from './model.ts';
import { afterScheduleCommand, bringUpScheduled, isScheduled } from './schedule.ts';

type CommandInput = Extract<Input, { kind: 'command' }>;

/** Applies one command request. */
export function onCommand(d: Draft, input: CommandInput, ctx: DecideContext): void {
  const refuse = (code: CommandErrorCode, message: string): void =>
    d.emit({ kind: 'reply', requestId: input.requestId, ok: false, code, message });
  const svc = d.get(commandKey(input.service));
  if (d.shutdown !== 'running') return refuse('shutting-down', 'the stack is shutting down');
  if (input.verb === 'forget') return forget(d, input, svc);
  if (svc === undefined) return refuse('unknown-service', `unknown service "${input.service}"`);
  const refusal = refusalFor(input.verb, svc);
  if (refusal !== null) return refuse('invalid-transition', refusal);

  d.emit(recordCommand(input));
  const message = apply(d, input.verb, svc, ctx);
  afterScheduleCommand(d, d.get(svc.id), ctx);
  d.emit({ kind: 'reply', requestId: input.requestId, ok: true, message });
}

/** Why a verb is impossible in the service's phase, or null when it is allowed. */
function refusalFor(verb: CommandVerb, svc: Supervised): string | null {
  const where = `${svc.id} is ${svc.phase}`;
  switch (verb) {
    case 'enable':
    case 'disable':
      return null;
    case 'start':
      if (!svc.enabled) return `${svc.id} is disabled; enable it first`;
      return isAlive(svc) ? `${where}; stop it first or use restart` : null;
    case 'stop':
      if (isAlive(svc) || svc.phase === 'backoff' || svc.phase === 'pending') return null;
      // A scheduled job at rest has its plan to stop.
      return isScheduled(svc) && svc.nextRunAt !== null ? null : `${where}; nothing to stop`;
    case 'restart':
      if (!svc.enabled) return `${svc.id} is disabled; enable it first`;
      return svc.phase === 'starting' ? `${where}; try again once it is running` : null;
    case 'forget':
      return FORGETTABLE.has(svc.phase) ? null : `${where}; stop or disable it first`;
  }
}

/** Phases without a process and without a start on its way: only these can be forgotten. */
const FORGETTABLE: ReadonlySet<Supervised['phase']> = new Set(['stopped', 'completed', 'failed', 'disabled']);

// A service this controller does not supervise (a previous run's, left out of the project) is
// only a record in the views: forgetting it needs no check beyond the record itself.
function forget(d: Draft, input: CommandInput, svc: Supervised | undefined): void {
  // Anything else could never have been a service, and its retired event would break the contract.
  if (svc === undefined && parseInstance(input.service) === null) {
    return d.emit({ kind: 'reply', requestId: input.requestId, ok: false, code: 'unknown-service', message: `unknown service "${input.service}"` });
  }
  if (svc !== undefined) {
    const refusal = refusalFor('forget', svc);
    if (refusal !== null) return d.emit({ kind: 'reply', requestId: input.requestId, ok: false, code: 'invalid-transition', message: refusal });
    d.remove(svc.id);
  }
  const by = input.requestedBy;
  d.emit(
    recordCommand(input),
    publish('orchestrator.service.retired', { ...refOfKey(input.service), reason: `forgotten by ${by.component}@${by.node}` }),
    { kind: 'reply', requestId: input.requestId, ok: true, message: `${input.service} forgotten` },
  );
}

function apply(d: Draft, verb: CommandVerb, svc: Supervised, ctx: DecideContext): string {
  switch (verb) {
    case 'enable':
      if (svc.enabled) return `${svc.id} is already enabled`;
      svc.enabled = true;
      svc.wanted = true;
      svc.attempt = 0;
      // A scheduled service comes back to wait for its next time, not for an extra run.
      if (svc.phase === 'disabled' && isScheduled(svc)) bringUpScheduled(d, svc, ctx, 'enable');
      else if (svc.phase === 'disabled') enterPending(d, svc);
      return `${svc.id} enabled`;
    case 'disable':
      if (!svc.enabled) return `${svc.id} is already disabled`;
      svc.enabled = false;
      if (svc.phase === 'running' || svc.phase === 'ready' || svc.phase === 'stopping') {
        stopProcess(d, svc, 'disable', 'disable');
      } else if (svc.phase === 'starting') {
        svc.afterStop = 'disable';
      } else {
        disableIdle(d, svc, 'command');
      }
      return `${svc.id} disabled`;
    case 'start':
      svc.wanted = true;
      svc.attempt = 0;
      if (svc.phase === 'backoff') d.emit({ kind: 'cancelRestart', service: svc.id });
      enterPending(d, svc);
      return `${svc.id} starting`;
    case 'stop':
      svc.wanted = false;
      if (svc.phase === 'running' || svc.phase === 'ready' || svc.phase === 'stopping') stopProcess(d, svc, 'command', 'stay');
      else if (svc.phase === 'starting') svc.afterStop = 'stay';
      else if (svc.phase === 'pending' || svc.phase === 'backoff') stopIdle(d, svc, 'command');
      // else: a scheduled job at rest, whose plan afterScheduleCommand pauses.
      else return `${svc.id} schedule paused`;
      return `${svc.id} stopping`;
    case 'restart':
      svc.wanted = true;
      svc.attempt = 0;
      if (svc.phase === 'running' || svc.phase === 'ready' || svc.phase === 'stopping') {
        stopProcess(d, svc, 'restart', 'start');
      } else {
        if (svc.phase === 'backoff') d.emit({ kind: 'cancelRestart', service: svc.id });
        enterPending(d, svc);
      }
      return `${svc.id} restarting`;
    case 'forget':
      // Handled before the common path (an unknown service may be forgotten).
      return `${svc.id} forgotten`;
  }
}

function recordCommand(input: CommandInput) {
  const data = { ...refOfKey(input.service), requestedBy: input.requestedBy };
  switch (input.verb) {
    case 'enable':
      return publish('orchestrator.command.enable', data);
    case 'disable':
      return publish('orchestrator.command.disable', data);
    case 'start':
      return publish('orchestrator.command.start', data);
    case 'stop':
      return publish('orchestrator.command.stop', data);
    case 'restart':
      return publish('orchestrator.command.restart', data);
    case 'forget':
      return publish('orchestrator.command.forget', data);
  }
}

// A command names a record key (`web`, `web@2`); its events name the service and instance.
function refOfKey(key: string): InstanceRef {
  const parsed = parseInstance(key);
  return parsed === null ? { service: key } : instanceRef(parsed.service, parsed.instance);
}

/** The record key of a command's target (`web@1` and `web` are the same instance). */
export function commandKey(target: string): string {
  const parsed = parseInstance(target);
  return parsed === null ? target : instanceKey(parsed.service, parsed.instance);
}
