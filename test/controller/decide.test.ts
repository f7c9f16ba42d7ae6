// The supervision policy, exercised as a pure function: time and jitter are numbers, processes
// are inputs. Integration tests with real processes live beside this file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, initialControllerState, nextDelay } from '../../src/controller/core/index.ts';
import type { ControllerState, Effect, Input } from '../../src/controller/core/index.ts';
import type { ServiceSpec } from '../../src/spec/index.ts';
import { spec } from './specs.ts';
import type { CommandVerb } from '../../src/events/index.ts';

/** Feeds inputs one after another, collecting every effect. */
class Run {
  state: ControllerState = initialControllerState();
  effects: Effect[] = [];
  feed(...inputs: Input[]): Effect[] {
    const out: Effect[] = [];
    for (const input of inputs) {
      const d = decide(this.state, input, { nowMs: 0, jitter: 0.5 });
      this.state = d.next;
      out.push(...d.effects);
    }
    this.effects.push(...out);
    return out;
  }
  register(s: ServiceSpec, enabled = true): Effect[] {
    return this.feed({ kind: 'registered', spec: s, specVersion: 1, specHash: JSON.stringify(s), enabled, ignoreDependencies: false });
  }
  phase(id: string): string | undefined {
    return this.state.services[id]?.phase;
  }
}

const started = (service: string, pid: number, attempt = 0): Input => ({
  kind: 'started', service, pid, attempt, ports: {}, command: 'node', args: [],
});
const ready = (service: string, pid: number): Input => ({ kind: 'ready', service, pid, ports: {}, elapsedMs: 5, probe: 'tcp' });
const exited = (service: string, pid: number, code: number | null, signal: string | null = null, runtimeMs = 10): Input => ({
  kind: 'exited', service, pid, code, signal, runtimeMs,
});
const cmd = (verb: CommandVerb, service: string, requestId = 'r1'): Input => ({
  kind: 'command', verb, service, requestId, requestedBy: { node: 'n1', component: 'test' },
});
/** The delays of the restart.scheduled events among these effects, as the stream shows them. */
const scheduledDelays = (effects: Effect[]): number[] =>
  effects.flatMap((e) => (e.kind === 'publish' && e.type === 'orchestrator.service.restart.scheduled' ? [e.data.delayMs] : []));
const types = (effects: Effect[]): string[] => effects.map((e) => (e.kind === 'publish' ? e.type.replace('orchestrator.', '') : e.kind));

test('a dependent waits for its dependency to be ready, then starts', () => {
  const r = new Run();
  assert.deepEqual(types(r.register(spec('alpha'))), ['service.pending', 'service.starting', 'spawn']);
  const beta = spec('beta', { dependencies: [{ id: 'alpha', condition: 'ready' }] });
  assert.deepEqual(types(r.register(beta)), ['service.pending']);
  assert.deepEqual(r.state.services.beta?.waitingFor, ['alpha']);
  assert.deepEqual(types(r.feed(started('alpha', 10))), ['service.start']);
  assert.equal(r.phase('beta'), 'pending');
  assert.deepEqual(types(r.feed(ready('alpha', 10))), ['service.ready', 'service.starting', 'spawn']);
  assert.equal(r.phase('beta'), 'starting');
});

test('a started condition is met by a running dependency, before it is ready', () => {
  const r = new Run();
  r.register(spec('alpha'));
  r.register(spec('beta', { dependencies: [{ id: 'alpha', condition: 'started' }] }));
  assert.deepEqual(types(r.feed(started('alpha', 10))), ['service.start', 'service.starting', 'spawn']);
});

test('a service without a readiness probe is ready as soon as it has started', () => {
  const r = new Run();
  r.register(spec('alpha', { health: undefined }));
  assert.deepEqual(types(r.feed(started('alpha', 10))), ['service.start', 'service.ready']);
  assert.equal(r.phase('alpha'), 'ready');
});

test('a stable service that is killed restarts at once: delay 0, spawned in the same decision', () => {
  const r = new Run();
  r.register(spec('alpha'));
  r.feed(started('alpha', 100), ready('alpha', 100));
  const out = r.feed(exited('alpha', 100, null, 'SIGKILL', 120_000));
  assert.deepEqual(types(out), ['service.exit', 'service.restart.scheduled', 'service.starting', 'spawn']);
  assert.deepEqual(scheduledDelays(out), [0]);
  const exit = out[0];
  assert.ok(exit?.kind === 'publish' && exit.type === 'orchestrator.service.exit');
  assert.equal(exit.data.restart, true, 'the exit says a restart follows');
  assert.equal(r.phase('alpha'), 'starting');
  assert.deepEqual(types(r.feed(started('alpha', 101, 1))), ['service.start']);
  // Killed again after another stable run: again at once, the streak never grew.
  assert.deepEqual(scheduledDelays(r.feed(ready('alpha', 101), exited('alpha', 101, null, 'SIGKILL', 120_000))), [0]);
  assert.equal(r.state.services.alpha?.attempt, 1);
});

test('a crash loop restarts once at once, then backs off with growing delays and gives up after maxRestarts', () => {
  const r = new Run();
  r.register(spec('alpha'));
  const delays: number[] = [];
  let pid = 100;
  r.feed(started('alpha', pid));
  for (let i = 0; i < 3; i++) {
    const out = r.feed(exited('alpha', pid, 1));
    delays.push(...scheduledDelays(out));
    if (i === 0) {
      assert.equal(r.phase('alpha'), 'starting', 'the first restart of the streak does not wait');
    } else {
      assert.equal(r.phase('alpha'), 'backoff');
      assert.ok(out.some((e) => e.kind === 'scheduleRestart'), `restart ${i + 1} waits on a timer`);
      assert.deepEqual(types(r.feed({ kind: 'restartDue', service: 'alpha' })), ['service.starting', 'spawn']);
    }
    r.feed(started('alpha', ++pid, i + 1));
  }
  assert.deepEqual(delays, [0, 100, 200]);
  const last = r.feed(exited('alpha', pid, 1));
  assert.deepEqual(types(last), ['service.exit', 'service.retries.exhausted']);
  assert.equal(r.phase('alpha'), 'failed');
});

test('immediateFirst: false waits initial before the first restart too', () => {
  const r = new Run();
  const s = spec('alpha');
  r.register({ ...s, restart: { ...s.restart, immediateFirst: false } });
  r.feed(started('alpha', 1));
  const out = r.feed(exited('alpha', 1, 1, null, 120_000));
  assert.deepEqual(types(out), ['service.exit', 'service.restart.scheduled', 'scheduleRestart']);
  assert.deepEqual(scheduledDelays(out), [100]);
  assert.equal(r.phase('alpha'), 'backoff');
});

test('restart policies: never stays down, on-failure ignores exit 0, always restarts after exit 0', () => {
  for (const [policy, code, expectRestart] of [
    ['never', 1, false],
    ['on-failure', 0, false],
    ['on-failure', 1, true],
    ['always', 0, true],
  ] as const) {
    const r = new Run();
    r.register(spec('a', { process: { ...spec('a').process, restartPolicy: policy } }));
    r.feed(started('a', 1));
    const out = r.feed(exited('a', 1, code));
    assert.equal(out.some((e) => e.kind === 'spawn'), expectRestart, `${policy} with exit ${code}`);
    // An error exit that the policy does not restart is a failure; a clean one rests in stopped.
    assert.equal(r.phase('a'), expectRestart ? 'starting' : code === 0 ? 'stopped' : 'failed');
  }
});

test('a run that stayed up past resetAfter starts a fresh backoff sequence', () => {
  const r = new Run();
  r.register(spec('a'));
  r.feed(started('a', 1));
  r.feed(exited('a', 1, 1), started('a', 2, 1));
  r.feed(exited('a', 2, 1), { kind: 'restartDue', service: 'a' }, started('a', 3, 2));
  const out = r.feed(exited('a', 3, 1, null, 120_000));
  assert.deepEqual(scheduledDelays(out), [0]);
  assert.equal(r.state.services.a?.attempt, 1);
  r.feed(started('a', 4, 1));
  assert.deepEqual(scheduledDelays(r.feed(exited('a', 4, 1))), [100], 'a quick failure after it backs off from initial');
});

test('a oneshot that exits 0 completes and releases dependents waiting for completion', () => {
  const r = new Run();
  r.register(spec('migrate', { kind: 'oneshot', health: undefined }));
  r.register(spec('api', { dependencies: [{ id: 'migrate', condition: 'completed' }] }));
  assert.deepEqual(types(r.feed(started('migrate', 5))), ['service.start']);
  assert.deepEqual(types(r.feed(exited('migrate', 5, 0))), ['service.exit', 'service.starting', 'spawn']);
  assert.equal(r.phase('migrate'), 'completed');
});

test('a failed start follows the restart policy', () => {
  const r = new Run();
  r.register(spec('a'));
  const out = r.feed({ kind: 'startFailed', service: 'a', attempt: 0, reason: 'port-conflict', error: 'port 80 is taken' });
  assert.deepEqual(types(out), ['service.start.failed', 'service.restart.scheduled', 'service.starting', 'spawn']);
  const failed = out[0];
  assert.ok(failed?.kind === 'publish' && failed.type === 'orchestrator.service.start.failed');
  assert.equal(failed.data.restart, true);
  const again = r.feed({ kind: 'startFailed', service: 'a', attempt: 1, reason: 'port-conflict', error: 'port 80 is taken' });
  assert.deepEqual(types(again), ['service.start.failed', 'service.restart.scheduled', 'scheduleRestart']);
  const r2 = new Run();
  r2.register(spec('a', { process: { ...spec('a').process, restartPolicy: 'never' } }));
  r2.feed({ kind: 'startFailed', service: 'a', attempt: 0, reason: 'spawn', error: 'ENOENT' });
  assert.equal(r2.phase('a'), 'failed');
});

test('disable stops the process and keeps the service down; enable brings it back', () => {
  const r = new Run();
  r.register(spec('a'));
  r.feed(started('a', 7), ready('a', 7));
  const out = r.feed(cmd('disable', 'a'));
  assert.deepEqual(types(out), ['command.disable', 'service.stop', 'signal', 'reply']);
  assert.deepEqual(types(r.feed(exited('a', 7, 0, 'SIGTERM'))), ['service.exit', 'service.disabled']);
  assert.equal(r.phase('a'), 'disabled');
  assert.deepEqual(types(r.feed(cmd('enable', 'a'))), ['command.enable', 'service.pending', 'reply', 'service.starting', 'spawn']);
});

test('commands in impossible states and for unknown services are refused with a reason', () => {
  const r = new Run();
  r.register(spec('a'));
  r.feed(started('a', 7), ready('a', 7));
  const refused = (out: Effect[]) => out.find((e) => e.kind === 'reply' && !e.ok);
  const start = refused(r.feed(cmd('start', 'a')));
  assert.ok(start?.kind === 'reply' && !start.ok);
  assert.equal(start.code, 'invalid-transition');
  assert.match(start.message, /a is ready/);
  const unknown = refused(r.feed(cmd('stop', 'nope')));
  assert.ok(unknown?.kind === 'reply' && !unknown.ok);
  assert.equal(unknown.code, 'unknown-service');
  r.feed(cmd('disable', 'a'), exited('a', 7, 0));
  const restart = refused(r.feed(cmd('restart', 'a')));
  assert.ok(restart?.kind === 'reply' && !restart.ok);
  assert.match(restart.message, /disabled; enable it first/);
});

test('restart stops the process, then starts it again with a fresh attempt count', () => {
  const r = new Run();
  r.register(spec('a'));
  r.feed(started('a', 7), ready('a', 7));
  assert.deepEqual(types(r.feed(cmd('restart', 'a'))), ['command.restart', 'service.stop', 'signal', 'reply']);
  assert.deepEqual(types(r.feed(exited('a', 7, 0))), ['service.exit', 'service.pending', 'service.starting', 'spawn']);
});

test('a liveness failure restarts the service through its restart policy', () => {
  const r = new Run();
  r.register(spec('a'));
  r.feed(started('a', 7), ready('a', 7));
  assert.deepEqual(types(r.feed({ kind: 'health', service: 'a', pid: 7, probe: 'liveness', status: 'failing', consecutiveFailures: 3, latencyMs: null, detail: 'timeout' })), ['service.health', 'service.stop', 'signal']);
  assert.deepEqual(types(r.feed(exited('a', 7, null, 'SIGTERM'))), ['service.exit', 'service.restart.scheduled', 'service.starting', 'spawn']);
});

test('shutdown stops dependents before their dependencies, then reports completion', () => {
  const r = new Run();
  r.register(spec('alpha'));
  r.register(spec('beta', { dependencies: [{ id: 'alpha', condition: 'ready' }] }));
  r.feed(started('alpha', 1), ready('alpha', 1), started('beta', 2), ready('beta', 2));
  const first = r.feed({ kind: 'shutdown' });
  assert.deepEqual(first.filter((e) => e.kind === 'signal').map((e) => e.kind === 'signal' && e.service), ['beta']);
  const second = r.feed(exited('beta', 2, 0));
  assert.deepEqual(second.filter((e) => e.kind === 'signal').map((e) => e.kind === 'signal' && e.service), ['alpha']);
  assert.deepEqual(types(r.feed(exited('alpha', 1, 0))), ['service.exit', 'shutdownComplete']);
  assert.equal(r.phase('alpha'), 'stopped');
});

test('shutdown during a backoff cancels the pending restart', () => {
  const r = new Run();
  r.register(spec('a'));
  r.feed(started('a', 1), exited('a', 1, 1), started('a', 2, 1), exited('a', 2, 1));
  assert.equal(r.phase('a'), 'backoff');
  assert.deepEqual(types(r.feed({ kind: 'shutdown' })), ['cancelRestart', 'service.stop', 'shutdownComplete']);
});

test('a changed spec restarts a running service; an identical one does not', () => {
  const r = new Run();
  const s = spec('a');
  r.register(s);
  r.feed(started('a', 1), ready('a', 1));
  assert.deepEqual(r.register(s), []);
  const changed = spec('a', { description: 'v2' });
  assert.deepEqual(types(r.register(changed)), ['service.stop', 'signal']);
  assert.deepEqual(types(r.feed(exited('a', 1, 0))), ['service.exit', 'service.pending', 'service.starting', 'spawn']);
});

test('a changed spec starts a failed or backing-off service again with a fresh attempt count; an identical one leaves it', () => {
  const r = new Run();
  const s = spec('a', { restart: { ...spec('a').restart, maxRestarts: 0 } });
  r.register(s);
  r.feed(started('a', 1), exited('a', 1, 1));
  assert.equal(r.phase('a'), 'failed');
  assert.deepEqual(r.register(s), []);
  const fixed = spec('a', { description: 'fixed' });
  assert.deepEqual(types(r.register(fixed)), ['service.pending', 'service.starting', 'spawn']);
  assert.equal(r.state.services.a?.attempt, 0);

  const b = new Run();
  b.register(spec('b'));
  b.feed(started('b', 1), exited('b', 1, 1), started('b', 2, 1), exited('b', 2, 1));
  assert.equal(b.phase('b'), 'backoff');
  assert.deepEqual(types(b.register(spec('b', { description: 'v2' }))), ['cancelRestart', 'service.pending', 'service.starting', 'spawn']);
});

test('a service registered disabled stays down', () => {
  const r = new Run();
  assert.deepEqual(types(r.register(spec('a'), false)), ['service.disabled']);
  assert.equal(r.phase('a'), 'disabled');
});

test('nextDelay grows exponentially, caps at max and spreads by jitter', () => {
  const tuning = { immediateFirst: false, initialMs: 100, multiplier: 2, maxMs: 1000, jitter: 0.5, resetAfterMs: 0, maxRestarts: null };
  assert.equal(nextDelay(1, tuning, 0.5), 100);
  assert.equal(nextDelay(3, tuning, 0.5), 400);
  assert.equal(nextDelay(10, tuning, 0.5), 1000);
  assert.equal(nextDelay(1, tuning, 0), 75);
  assert.equal(nextDelay(1, tuning, 0.999), 125);
  // With immediateFirst the same sequence starts one restart later, after an immediate one.
  const immediate = { ...tuning, immediateFirst: true };
  assert.equal(nextDelay(1, immediate, 0), 0, 'no jitter on an immediate restart');
  assert.equal(nextDelay(2, immediate, 0.5), 100);
  assert.equal(nextDelay(4, immediate, 0.5), 400);
  assert.equal(nextDelay(2, immediate, 0), 75);
  assert.equal(nextDelay(11, immediate, 0.5), 1000);
});

test('service ids named like Object.prototype members are ordinary services', () => {
  const r = new Run();
  assert.deepEqual(types(r.feed(cmd('start', 'constructor'))), ['reply']);
  assert.deepEqual(types(r.register(spec('toString', { health: undefined }))), ['service.pending', 'service.starting', 'spawn']);
});

test('forget: a service at rest leaves the model, a running one is refused, a stale record is retired, a non-id refused', () => {
  const r = new Run();
  r.register(spec('a'));
  r.feed(started('a', 7));
  assert.deepEqual(types(r.feed(cmd('forget', 'a'))), ['reply']);
  assert.equal(r.phase('a'), 'running', 'a running service is not forgotten');
  r.feed(cmd('stop', 'a'), exited('a', 7, 0));
  assert.deepEqual(types(r.feed(cmd('forget', 'a'))), ['command.forget', 'service.retired', 'reply']);
  assert.equal(r.phase('a'), undefined);
  assert.deepEqual(types(r.feed(cmd('forget', 'old'))), ['command.forget', 'service.retired', 'reply'], 'an earlier run’s record');
  const refused = r.feed(cmd('forget', ' '));
  assert.deepEqual(refused, [{ kind: 'reply', requestId: 'r1', ok: false, code: 'unknown-service', message: 'unknown service " "' }]);
});
