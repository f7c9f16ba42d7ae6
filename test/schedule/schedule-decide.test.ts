// The scheduling rules of the controller as a pure function: `now` is a number, the timer is an
// effect and its firing an input. Covers what the real-process tests cannot time exactly: the
// queue policy, a stop pausing the plan, a restart command, and a timer that fired early.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, initialControllerState } from '../../src/controller/core/index.ts';
import type { ControllerState, Effect, Input } from '../../src/controller/core/index.ts';
import { validateService } from '../../src/spec/index.ts';
import type { ServiceSpec } from '../../src/spec/index.ts';

function jobSpec(schedule: Record<string, unknown>): ServiceSpec {
  const res = validateService('job', { kind: 'oneshot', process: { command: 'true' }, schedule });
  assert.ok(res.ok);
  return res.spec;
}

class Run {
  state: ControllerState = initialControllerState();
  now = 1_000_000;
  pid = 100;
  feed(input: Input): Effect[] {
    const d = decide(this.state, input, { nowMs: this.now, jitter: 0 });
    this.state = d.next;
    return d.effects;
  }
  get job() {
    return this.state.services['job'];
  }
  /** The spawn the core asked for comes back as a started process. */
  started(): void {
    this.feed({ kind: 'started', service: 'job', pid: ++this.pid, attempt: 0, ports: {}, command: 'true', args: [] });
  }
  exited(code: number): Effect[] {
    return this.feed({ kind: 'exited', service: 'job', pid: this.pid, code, signal: null, runtimeMs: 10 });
  }
  due(): Effect[] {
    const at = this.job?.nextRunAt ?? 0;
    this.now = at;
    return this.feed({ kind: 'runDue', service: 'job', atMs: at });
  }
}

const types = (effects: Effect[]): string[] => effects.map((e) => (e.kind === 'publish' ? e.type.replace('orchestrator.service.', '') : e.kind));

test('registration without runAtStart rests stopped and arms the timer for the first time', () => {
  const r = new Run();
  const effects = r.feed({ kind: 'registered', spec: jobSpec({ every: '10s' }), specVersion: 1, specHash: 'a', enabled: true, ignoreDependencies: false });
  assert.equal(r.job?.phase, 'stopped');
  assert.deepEqual(types(effects), ['pending', 'stop', 'schedule.next', 'scheduleRun']);
  assert.deepEqual(effects.at(-1), { kind: 'scheduleRun', service: 'job', atMs: 1_010_000 });
});

test('overlap queue: one run waits behind the current one and starts at its exit; a second is skipped', () => {
  const r = new Run();
  r.feed({ kind: 'registered', spec: jobSpec({ every: '10s', overlap: 'queue' }), specVersion: 1, specHash: 'a', enabled: true, ignoreDependencies: false });
  assert.deepEqual(types(r.due()), ['schedule.run', 'pending', 'schedule.next', 'scheduleRun', 'starting', 'spawn']);
  r.started();
  assert.deepEqual(types(r.due()), ['schedule.next', 'scheduleRun'], 'queued: no event until it runs');
  assert.equal(r.job?.queuedRun, '1970-01-01T00:17:00.000Z');
  assert.deepEqual(types(r.due()), ['schedule.skipped', 'schedule.next', 'scheduleRun']);
  const atExit = r.exited(0);
  assert.deepEqual(types(atExit), ['exit', 'schedule.run', 'pending', 'starting', 'spawn']);
  const run = atExit[1] as Extract<Effect, { kind: 'publish'; type: 'orchestrator.service.schedule.run' }>;
  assert.equal(run.data.trigger, 'queue');
  assert.equal(r.job?.queuedRun, null);
});

test('a stop command pauses the plan; start runs now and plans again', () => {
  const r = new Run();
  r.feed({ kind: 'registered', spec: jobSpec({ every: '10s' }), specVersion: 1, specHash: 'a', enabled: true, ignoreDependencies: false });
  r.due();
  r.started();
  const requestedBy = { node: 'n1', component: 'test' };
  const stop = r.feed({ kind: 'command', verb: 'stop', service: 'job', requestedBy, requestId: '1' });
  assert.ok(types(stop).includes('cancelRun'));
  assert.equal(r.job?.nextRunAt, null);
  r.exited(0);
  assert.equal(r.job?.phase, 'stopped');
  const start = r.feed({ kind: 'command', verb: 'start', service: 'job', requestedBy, requestId: '2' });
  assert.ok(types(start).includes('spawn'));
  assert.ok(types(start).includes('scheduleRun'));
});

test('a timer that fired before its time is armed again, and one of a replaced plan does nothing', () => {
  const r = new Run();
  r.feed({ kind: 'registered', spec: jobSpec({ every: '10s' }), specVersion: 1, specHash: 'a', enabled: true, ignoreDependencies: false });
  const at = r.job?.nextRunAt ?? 0;
  r.now = at - 5000;
  assert.deepEqual(r.feed({ kind: 'runDue', service: 'job', atMs: at }), [{ kind: 'scheduleRun', service: 'job', atMs: at }]);
  assert.deepEqual(r.feed({ kind: 'runDue', service: 'job', atMs: at - 1 }), []);
});

test('stop on a scheduled job at rest pauses its plan (no lifecycle event), and start brings it back with a run', () => {
  const r = new Run();
  r.feed({ kind: 'registered', spec: jobSpec({ every: '10s' }), specVersion: 1, specHash: 'a', enabled: true, ignoreDependencies: false });
  const requestedBy = { node: 'n1', component: 'test' };
  const stop = r.feed({ kind: 'command', verb: 'stop', service: 'job', requestedBy, requestId: '1' });
  assert.deepEqual(types(stop), ['orchestrator.command.stop', 'cancelRun', 'schedule.next', 'reply']);
  assert.deepEqual(stop.at(-1), { kind: 'reply', requestId: '1', ok: true, message: 'job schedule paused' });
  assert.equal(r.job?.phase, 'stopped');
  const again = r.feed({ kind: 'command', verb: 'stop', service: 'job', requestedBy, requestId: '2' });
  assert.deepEqual(again, [{ kind: 'reply', requestId: '2', ok: false, code: 'invalid-transition', message: 'job is stopped; nothing to stop' }]);
  const start = r.feed({ kind: 'command', verb: 'start', service: 'job', requestedBy, requestId: '3' });
  assert.ok(types(start).includes('spawn') && types(start).includes('scheduleRun'));
});

test('a new spec changes the plan: a new schedule is planned from now, none drops the plan and tells the views', () => {
  const r = new Run();
  const register = (spec: ServiceSpec, hash: string) => r.feed({ kind: 'registered', spec, specVersion: 1, specHash: hash, enabled: true, ignoreDependencies: false });
  register(jobSpec({ every: '10s' }), 'a');
  r.now += 3000;
  const moved = register(jobSpec({ every: '1m' }), 'b');
  assert.deepEqual(moved.at(-1), { kind: 'scheduleRun', service: 'job', atMs: r.now + 60_000 });
  const plain = validateService('job', { kind: 'oneshot', process: { command: 'true' } });
  assert.ok(plain.ok);
  const dropped = register(plain.spec, 'c');
  assert.deepEqual(types(dropped), ['cancelRun', 'schedule.next']);
  const next = dropped[1] as Extract<Effect, { kind: 'publish'; type: 'orchestrator.service.schedule.next' }>;
  assert.deepEqual([next.data.nextRunAt, next.data.schedule], [null, null]);
  assert.equal(r.job?.nextRunAt, null);
});
