// decide(state, input, ctx) → { next, effects }: the whole supervision policy as a pure
// function. The shell performs the effects and feeds their results back as inputs.
import { instanceKey } from '../../events/index.ts';
import { shouldRestart } from './backoff.ts';
import { onCommand } from './commands.ts';
import { Draft } from './draft.ts';
import { isAlive, servicesWithLiveDependents, unmetDependencies } from './gating.ts';
import { beginStart, disableIdle, enterPending, restartOrGiveUp, restartUnderway, stopIdle, stopProcess } from './lifecycle.ts';
import { publish, refOf } from './model.ts';
import { bringUpScheduled, dropSchedule, isScheduled, onRunDue, planNext, runQueued } from './schedule.ts';
import type { ControllerState, DecideContext, Decision, Input, Supervised } from './model.ts';

/** The model before any registration. */
export function initialControllerState(): ControllerState {
  return { services: {}, shutdown: 'running', peers: {} };
}

/** Decides the next model and the effects for one input. */
export function decide(state: ControllerState, input: Input, ctx: DecideContext): Decision {
  const d = new Draft(state, ctx.handOver === true);
  switch (input.kind) {
    case 'registered':
      onRegistered(d, input, ctx);
      break;
    case 'command':
      onCommand(d, input, ctx);
      break;
    case 'started':
      onStarted(d, input);
      break;
    case 'startFailed':
      onStartFailed(d, input, ctx);
      break;
    case 'ready':
      onReady(d, input);
      break;
    case 'ensured':
    case 'portConflict':
    case 'portReclaimed':
      onStartStep(d, input);
      break;
    case 'health':
      onHealth(d, input);
      break;
    case 'memoryExceeded':
      onMemoryExceeded(d, input);
      break;
    case 'exited':
      onExited(d, input, ctx);
      break;
    case 'restartDue':
      onRestartDue(d, input);
      break;
    case 'runDue':
      onRunDue(d, input, ctx);
      break;
    case 'shutdown':
      if (d.shutdown === 'running') d.shutdown = 'stopping';
      break;
    case 'release':
      onRelease(d, input);
      break;
    case 'peers':
      d.peers = input.phases;
      break;
  }
  settle(d);
  return { next: d.state(), effects: d.effects };
}

type Of<K extends Input['kind']> = Extract<Input, { kind: K }>;

function onRegistered(d: Draft, input: Of<'registered'>, ctx: DecideContext): void {
  const instance = input.instance ?? 1;
  const existing = d.get(instanceKey(input.spec.id, instance));
  if (existing !== undefined) {
    const changed = existing.specHash !== input.specHash;
    const hadSchedule = isScheduled(existing);
    existing.spec = input.spec;
    existing.specVersion = input.specVersion;
    existing.specHash = input.specHash;
    existing.ignoreDependencies = input.ignoreDependencies;
    // A changed schedule is planned anew from now; a spec without one drops the plan.
    if (changed && isScheduled(existing) && existing.enabled && existing.wanted) planNext(d, existing, ctx.nowMs, null);
    else if (changed && hadSchedule && !isScheduled(existing)) dropSchedule(d, existing);
    // A changed spec takes effect through a restart; an identical one changes nothing.
    if (changed && (existing.phase === 'running' || existing.phase === 'ready')) {
      stopProcess(d, existing, 'respec', 'start');
    } else if (changed && existing.enabled && existing.wanted && d.shutdown === 'running' && (existing.phase === 'failed' || existing.phase === 'backoff')) {
      // The edit is usually the fix: a failing service gets a fresh start with the new spec.
      if (existing.phase === 'backoff') d.emit({ kind: 'cancelRestart', service: existing.id });
      existing.attempt = 0;
      enterPending(d, existing);
    }
    return;
  }
  const svc: Supervised = {
    id: instanceKey(input.spec.id, instance),
    service: input.spec.id,
    instance,
    spec: input.spec,
    specVersion: input.specVersion,
    specHash: input.specHash,
    enabled: input.enabled,
    ignoreDependencies: input.ignoreDependencies,
    wanted: true,
    phase: 'pending',
    attempt: 0,
    pid: null,
    afterStop: 'stay',
    waitingFor: [],
    nextRunAt: null,
    queuedRun: null,
  };
  d.put(svc);
  if (!svc.enabled) disableIdle(d, svc, 'not enabled at registration');
  else if (d.shutdown === 'running' && isScheduled(svc)) bringUpScheduled(d, svc, ctx, 'start');
  else if (d.shutdown === 'running') enterPending(d, svc);
}

function onStarted(d: Draft, input: Of<'started'>): void {
  const svc = d.get(input.service);
  if (svc?.phase !== 'starting') return;
  svc.phase = 'running';
  svc.pid = input.pid;
  d.emit(
    publish('orchestrator.service.start', {
      ...refOf(svc),
      pid: input.pid,
      attempt: input.attempt,
      ports: input.ports,
      command: input.command,
      args: input.args,
    }),
  );
  // A stop, disable or shutdown that arrived while spawning applies now.
  if (!svc.enabled) return stopProcess(d, svc, 'disable', 'disable');
  // A release asked for while spawning still ends in the release (the instance is given up).
  const then = svc.afterStop === 'release' || svc.afterStop === 'retire' ? svc.afterStop : 'stay';
  if (!svc.wanted || d.shutdown !== 'running') return stopProcess(d, svc, then === 'stay' ? 'command' : 'release', then);
  if (svc.spec.health === undefined && svc.spec.kind === 'daemon') {
    svc.phase = 'ready';
    d.emit(publish('orchestrator.service.ready', { ...refOf(svc), pid: input.pid, ports: input.ports, elapsedMs: 0, probe: null }));
  }
}

function onStartFailed(d: Draft, input: Of<'startFailed'>, ctx: DecideContext): void {
  const svc = d.get(input.service);
  if (svc?.phase !== 'starting') return;
  svc.phase = 'failed';
  svc.pid = null;
  const event = publish('orchestrator.service.start.failed', {
    ...refOf(svc),
    attempt: input.attempt,
    reason: input.reason,
    error: input.error,
    ...(input.searchPath !== undefined ? { searchPath: input.searchPath } : {}),
  });
  d.emit(event);
  if (svc.afterStop === 'release' || svc.afterStop === 'retire') return dropReleased(d, svc, svc.afterStop === 'retire');
  if (!svc.enabled) return disableIdle(d, svc, 'command');
  if (!svc.wanted || d.shutdown !== 'running') return;
  if (shouldRestart(svc.spec.process.restartPolicy, { code: null, signal: null })) {
    restartOrGiveUp(d, svc, `start failed: ${input.reason}`, ctx);
  }
  // Said in the event itself, so a view never takes this failure for the end (settled) while the
  // restart that follows is still on its way.
  (event.data as { restart?: boolean }).restart = restartUnderway(d.get(svc.id));
}

function onReady(d: Draft, input: Of<'ready'>): void {
  const svc = d.get(input.service);
  if (svc?.phase !== 'running' || svc.pid !== input.pid) return;
  svc.phase = 'ready';
  d.emit(
    publish('orchestrator.service.ready', {
      ...refOf(svc),
      pid: input.pid,
      ports: input.ports,
      elapsedMs: input.elapsedMs,
      probe: input.probe,
      ...(input.line !== undefined ? { line: input.line } : {}),
    }),
  );
}

// Facts of a start in progress (ports, ensure) are published only while that start is the
// current one: a late report of an abandoned start must not reach the views.
function onStartStep(d: Draft, input: Of<'ensured'> | Of<'portConflict'> | Of<'portReclaimed'>): void {
  const svc = d.peek(input.service);
  if (svc?.phase !== 'starting') return;
  switch (input.kind) {
    case 'ensured':
      return d.emit(publish('orchestrator.service.ensure', { ...refOf(svc), actions: input.actions }));
    case 'portConflict': {
      const { kind: _, ...data } = input;
      return d.emit(publish('orchestrator.service.port.conflict', { ...data, ...refOf(svc) }));
    }
    case 'portReclaimed': {
      const { kind: _, ...data } = input;
      return d.emit(publish('orchestrator.service.port.reclaimed', { ...data, ...refOf(svc) }));
    }
  }
}

// A probe result counts only for the process it probed (a service has a pid only while running,
// ready or stopping); a failing liveness probe stops that process, and the restart policy decides
// what follows its exit.
function onHealth(d: Draft, input: Of<'health'>): void {
  // Read only: most health reports are published and change nothing in the model.
  const view = d.peek(input.service);
  if (view === undefined || view.pid !== input.pid) return;
  const svc = stopsProcess(view, input) ? (d.get(view.id) as Supervised) : view;
  const { kind: _, pid: __, ...data } = input;
  d.emit(publish('orchestrator.service.health', { ...data, ...refOf(svc) }));
  if (input.probe === 'liveness' && input.status === 'failing' && svc.phase !== 'stopping') {
    stopProcess(d, svc, 'liveness', 'restart-policy');
  }
  // A log probe fails once, at its deadline, and a line that never came will not come later:
  // the process goes down the liveness path. Other readiness probes keep probing (docs/spec.md).
  if (input.probe === 'readiness' && input.status === 'failing' && svc.phase === 'running' && svc.spec.health?.type === 'log') {
    stopProcess(d, svc, 'readiness', 'restart-policy');
    svc.failure = 'readiness log line not seen';
  }
}

function stopsProcess(svc: Supervised, input: Of<'health'>): boolean {
  if (input.status !== 'failing') return false;
  if (input.probe === 'liveness') return svc.phase !== 'stopping';
  return svc.phase === 'running' && svc.spec.health?.type === 'log';
}

// Same path as a liveness failure: stop the process; its exit goes through the restart policy.
function onMemoryExceeded(d: Draft, input: Of<'memoryExceeded'>): void {
  const svc = d.get(input.service);
  if (svc === undefined || svc.pid !== input.pid || (svc.phase !== 'running' && svc.phase !== 'ready')) return;
  const { kind: _, ...data } = input;
  d.emit(publish('orchestrator.service.memory.exceeded', { ...data, ...refOf(svc) }));
  stopProcess(d, svc, 'memory', 'restart-policy');
  svc.failure = 'memory limit exceeded';
}

function onExited(d: Draft, input: Of<'exited'>, ctx: DecideContext): void {
  const svc = d.get(input.service);
  if (svc === undefined || svc.pid !== input.pid) return;
  const wasStopping = svc.phase === 'stopping';
  svc.pid = null;
  const event = publish('orchestrator.service.exit', {
    ...refOf(svc),
    pid: input.pid,
    code: input.code,
    signal: input.signal,
    runtimeMs: input.runtimeMs,
    expected: wasStopping && svc.afterStop !== 'restart-policy',
  });
  d.emit(event);
  const failedByExit = afterExit(d, svc, input, wasStopping, ctx);
  // What the exit leads to is part of the fact: views learn from this one event whether the
  // service rests (and so has settled) or a restart follows, and that an error exit its policy
  // does not restart is a failure. Retries running out stay the retries.exhausted event's to say.
  const data = event.data as { restart?: boolean; failed?: boolean };
  data.restart = restartUnderway(svc) || svc.phase === 'pending';
  data.failed = failedByExit;
  runQueued(d, svc);
}

/** Applies an exit; true when the exit itself leaves the service failed (its policy does not restart it). */
function afterExit(d: Draft, svc: Supervised, input: Of<'exited'>, wasStopping: boolean, ctx: DecideContext): boolean {
  const exit = { code: input.code, signal: input.signal };
  if (input.runtimeMs >= svc.spec.restart.resetAfterMs) svc.attempt = 0;
  if (wasStopping) {
    const then = svc.afterStop;
    const failure = svc.failure ?? 'liveness probe failed';
    svc.afterStop = 'stay';
    delete svc.failure;
    svc.phase = 'stopped';
    if (then === 'release' || then === 'retire') {
      dropReleased(d, svc, then === 'retire');
      return false;
    }
    if (then === 'disable' || !svc.enabled) disableIdle(d, svc, 'command');
    else if (d.shutdown !== 'running') return false;
    else if (then === 'start') enterPending(d, svc);
    else if (then === 'restart-policy' && shouldRestart(svc.spec.process.restartPolicy, { code: 1, signal: null })) {
      restartOrGiveUp(d, svc, failure, ctx);
    }
    return false;
  }
  const clean = input.code === 0 && input.signal === null;
  if (svc.spec.kind === 'oneshot' && clean) {
    svc.phase = 'completed';
    return false;
  }
  svc.phase = 'stopped';
  if (d.shutdown !== 'running' || !svc.wanted) return false;
  const reason = input.signal !== null ? `killed by ${input.signal}` : `exited with code ${input.code}`;
  if (shouldRestart(svc.spec.process.restartPolicy, exit)) {
    restartOrGiveUp(d, svc, reason, ctx);
    return false;
  }
  // An error exit that the policy does not restart (restartPolicy never, a one-shot's failure):
  // nothing will bring the service back without a command, so it has failed.
  if (!clean) svc.phase = 'failed';
  return !clean;
}

// An instance leaves this controller: it moves to another node, or it was scaled away (then
// it is retired, so every view drops it). Its process stops first; its claim is given up only
// once the whole process group is gone, so the next node never runs it beside this one.
function onRelease(d: Draft, input: Of<'release'>): void {
  const svc = d.get(input.service);
  if (svc === undefined) return;
  const then = input.retire ? 'retire' : 'release';
  if (input.retire && input.reason !== 'scaled down') svc.retireReason = input.reason;
  if (svc.phase === 'running' || svc.phase === 'ready' || svc.phase === 'stopping') {
    return stopProcess(d, svc, input.reason, then, input.timeoutMs);
  }
  if (svc.phase === 'starting') {
    svc.afterStop = then;
    svc.wanted = false;
    return;
  }
  if (svc.phase === 'backoff') d.emit({ kind: 'cancelRestart', service: svc.id });
  if (svc.phase !== 'stopped' && svc.phase !== 'failed' && svc.phase !== 'completed' && svc.phase !== 'disabled') {
    d.emit(publish('orchestrator.service.stop', { ...refOf(svc), pid: null, reason: input.reason, signal: 'none', timeoutMs: 0 }));
  }
  dropReleased(d, svc, input.retire);
}

function dropReleased(d: Draft, svc: Supervised, retire: boolean): void {
  d.remove(svc.id);
  if (retire) d.emit(publish('orchestrator.service.retired', { ...refOf(svc), reason: svc.retireReason ?? 'scaled down' }));
  d.emit({ kind: 'released', service: svc.id });
}

function onRestartDue(d: Draft, input: Of<'restartDue'>): void {
  const svc = d.get(input.service);
  if (svc?.phase !== 'backoff') return;
  beginStart(d, svc);
}

/** Starts what may start, and drives a shutdown forward in reverse dependency order. */
function settle(d: Draft): void {
  if (d.shutdown === 'done') return;
  if (d.shutdown === 'stopping') return settleShutdown(d);
  for (const view of d.all()) {
    if (view.phase !== 'pending' || !view.enabled || !view.wanted) continue;
    // Read before copying: most pending services are still waiting, and a copy of each one per
    // input made every decision cost as much as the whole model.
    const unmet = unmetDependencies(view, d);
    if (unmet.length === 0) {
      const svc = d.get(view.id) as Supervised;
      svc.waitingFor = [];
      beginStart(d, svc);
    } else if (unmet.join() !== view.waitingFor.join()) {
      const svc = d.get(view.id) as Supervised;
      svc.waitingFor = unmet;
      d.emit(publish('orchestrator.service.pending', { ...refOf(svc), waitingFor: unmet }));
    }
  }
}

function settleShutdown(d: Draft): void {
  const all = d.all();
  // Stable through the loop below: a stop keeps its service alive (stopping) and an idle stop
  // only touches services that had no process, so no service's dependents change liveness.
  const held = servicesWithLiveDependents(all);
  for (const view of all) {
    if (view.phase === 'pending' || view.phase === 'backoff') {
      stopIdle(d, d.get(view.id) as Supervised, 'shutdown');
    } else if ((view.phase === 'running' || view.phase === 'ready') && !held.has(view.service)) {
      stopProcess(d, d.get(view.id) as Supervised, 'shutdown', 'stay');
    }
  }
  if (d.all().every((svc) => !isAlive(svc))) {
    d.shutdown = 'done';
    d.emit({ kind: 'shutdownComplete' });
  }
}
