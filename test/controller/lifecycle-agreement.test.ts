// The controller's phase and the views' state are two readings of one lifecycle: decide() keeps
// a phase per service to decide with, and every view reduces the events decide() publishes. This
// property feeds random observations and commands to decide(), reduces every event it publishes
// (and the register events that precede each registration), and checks after every step that
// the reducer shows each service in the phase, with the pid and the enabled flag, that the
// controller holds. A lifecycle event published anywhere but from decide() would break it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decide, initialControllerState } from '../../src/controller/core/index.ts';
import type { ControllerState, Input } from '../../src/controller/core/index.ts';
import { COMMAND_VERBS } from '../../src/events/index.ts';
import type { NestorEvent } from '../../src/events/index.ts';
import { validateService } from '../../src/spec/index.ts';
import { emptyState, reduce } from '../../src/state/index.ts';
import type { State } from '../../src/state/index.ts';

const IDS = ['db', 'api', 'job'] as const;
type Id = (typeof IDS)[number];

// Raw specs as a project file would hold them: a daemon with a readiness probe, one without,
// a dependent with each condition, a one-shot, restart tunings that exhaust quickly, and one
// with a log readiness probe and a memory limit.
const VARIANTS: Record<Id, Record<string, unknown>[]> = {
  db: [
    { process: { command: 'db' }, portStrategy: 'random', ports: { primary: {} }, health: { type: 'tcp' }, maxRestarts: 2 },
    { process: { command: 'db', restartPolicy: 'always' }, maxRestarts: 1 },
    { process: { command: 'db', restartPolicy: 'never' } },
    { process: { command: 'db' }, health: { type: 'log', pattern: 'ready' }, limits: { memory: '64MB' }, maxRestarts: 1 },
  ],
  api: [
    { process: { command: 'api' }, dependencies: ['db'], maxRestarts: 2 },
    { process: { command: 'api' }, dependencies: [{ id: 'db', condition: 'started' }], liveness: { type: 'exec', command: ['true'] } },
    { process: { command: 'api' }, dependencies: [{ id: 'job', condition: 'completed' }], backoff: '0s', maxRestarts: 'unlimited' },
  ],
  job: [
    { kind: 'oneshot', process: { command: 'job' } },
    { kind: 'oneshot', process: { command: 'job', restartPolicy: 'on-failure' }, maxRestarts: 1 },
  ],
};

/** An abstract step; pids and attempts are filled in from the controller's state when it runs. */
type Step =
  | { kind: 'register'; id: Id; variant: number; enabled: boolean }
  | { kind: 'command'; id: Id; verb: (typeof COMMAND_VERBS)[number] }
  | { kind: 'observe'; id: Id; what: 'started' | 'startFailed' | 'ensured' | 'portConflict' | 'portReclaimed' | 'ready' | 'restartDue' | 'memoryExceeded' }
  | { kind: 'health'; id: Id; probe: 'readiness' | 'liveness'; status: 'passing' | 'failing'; stale: boolean }
  | { kind: 'exited'; id: Id; code: number | null; runtimeMs: number; stale: boolean }
  | { kind: 'shutdown' };

const id = fc.constantFrom(...IDS);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('register' as const), id, variant: fc.nat(3), enabled: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('command' as const), id, verb: fc.constantFrom(...COMMAND_VERBS) }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('observe' as const),
      id,
      what: fc.constantFrom('started', 'startFailed', 'ensured', 'portConflict', 'portReclaimed', 'ready', 'restartDue', 'memoryExceeded'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('health' as const),
      id,
      probe: fc.constantFrom('readiness', 'liveness'),
      status: fc.constantFrom('passing', 'failing'),
      stale: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('exited' as const),
      id,
      code: fc.constantFrom(0, 1, null),
      runtimeMs: fc.constantFrom(5, 120_000),
      stale: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'shutdown' as const }) },
);

/** Runs steps through decide() and the reducer side by side. */
class SideBySide {
  controller: ControllerState = initialControllerState();
  view: State = emptyState();
  private seq = 0;
  private nextPid = 100;
  private versions = new Map<Id, number>();

  run(s: Step): void {
    if (s.kind === 'register') return this.register(s);
    const input = this.inputFor(s);
    if (input !== null) this.decide(input);
  }

  private register(s: Extract<Step, { kind: 'register' }>): void {
    const variants = VARIANTS[s.id];
    const raw = variants[s.variant % variants.length] as Record<string, unknown>;
    const checked = validateService(s.id, raw);
    assert.ok(checked.ok, `variant ${s.variant} of ${s.id} must be a valid spec`);
    const specVersion = (this.versions.get(s.id) ?? 0) + 1;
    this.versions.set(s.id, specVersion);
    const specHash = JSON.stringify(raw);
    this.publish({
      type: 'orchestrator.service.register',
      data: { service: s.id, spec: { ...raw, id: s.id }, specVersion, specHash, source: 'test', enabled: s.enabled },
    });
    this.decide({ kind: 'registered', spec: checked.spec, specVersion, specHash, enabled: s.enabled, ignoreDependencies: false });
  }

  private inputFor(s: Exclude<Step, { kind: 'register' }>): Input | null {
    if (s.kind === 'shutdown') return { kind: 'shutdown' };
    const svc = this.controller.services[s.id];
    const pid = svc?.pid ?? 0;
    const attempt = svc?.attempt ?? 0;
    switch (s.kind) {
      case 'command':
        // Forgetting a record the controller never supervised only tidies the views' history;
        // the views have no such record here either, so there is nothing to agree on.
        if (s.verb === 'forget' && svc === undefined) return null;
        return { kind: 'command', verb: s.verb, service: s.id, requestedBy: { node: 'n1', component: 'test' }, requestId: `r${this.seq}` };
      case 'health':
        return {
          kind: 'health',
          service: s.id,
          pid: s.stale ? pid + 1 : pid,
          probe: s.probe,
          status: s.status,
          consecutiveFailures: s.status === 'passing' ? 0 : 3,
          latencyMs: 1,
          detail: s.status,
        };
      case 'exited':
        return { kind: 'exited', service: s.id, pid: s.stale ? pid + 1 : pid, code: s.code, signal: s.code === null ? 'SIGKILL' : null, runtimeMs: s.runtimeMs };
      case 'observe':
        switch (s.what) {
          case 'started':
            return { kind: 'started', service: s.id, pid: this.nextPid++, attempt, ports: { primary: 4000 }, command: s.id, args: [] };
          case 'startFailed':
            return { kind: 'startFailed', service: s.id, attempt, reason: 'spawn', error: 'ENOENT' };
          case 'ensured':
            return { kind: 'ensured', service: s.id, actions: [{ type: 'mkdir', target: 'data' }] };
          case 'portConflict':
            return { kind: 'portConflict', service: s.id, portName: 'primary', port: 4000, ownerPid: 1, ownerCommand: 'other' };
          case 'portReclaimed':
            return { kind: 'portReclaimed', service: s.id, portName: 'primary', port: 4000, pid: 7 };
          case 'ready':
            return { kind: 'ready', service: s.id, pid, ports: { primary: 4000 }, elapsedMs: 3, probe: 'tcp' };
          case 'restartDue':
            return { kind: 'restartDue', service: s.id };
          case 'memoryExceeded':
            return { kind: 'memoryExceeded', service: s.id, pid, limitBytes: 64 * 1024 ** 2, rssBytes: 100 * 1024 ** 2 };
        }
    }
  }

  private decide(input: Input): void {
    const { next, effects } = decide(this.controller, input, { nowMs: this.seq * 1000, jitter: 0.5 });
    this.controller = next;
    for (const effect of effects) if (effect.kind === 'publish') this.publish({ type: effect.type, data: effect.data });
  }

  private publish(e: Pick<NestorEvent, 'type' | 'data'>): void {
    this.seq += 1;
    const event = {
      ...e,
      version: 1,
      id: `e${this.seq}`,
      timestamp: new Date(Date.UTC(2026, 0, 1) + this.seq * 1000).toISOString(),
      origin: { node: 'n1', component: 'controller' },
      seq: this.seq,
    } as NestorEvent & { seq: number };
    const before = this.view.counters.ignored;
    this.view = reduce(this.view, event);
    assert.equal(this.view.counters.ignored, before, `the reducer ignored ${event.type} that decide() published: ${JSON.stringify(event.data)}`);
  }

  /** Fails when any service reads differently in the controller and in the view. */
  check(history: Step[]): void {
    for (const svc of Object.values(this.controller.services)) {
      const view = this.view.services[svc.id];
      const where = `${svc.id} after ${JSON.stringify(history.at(-1))}`;
      assert.ok(view !== undefined, `${where}: no view of the service`);
      assert.equal(view.state, svc.phase, `${where}: phase`);
      assert.equal(view.pid, svc.pid, `${where}: pid`);
      assert.equal(view.enabled, svc.enabled, `${where}: enabled`);
    }
  }
}

test('the views reduce every service to the phase the controller holds, after every step', () => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), (steps) => {
      const run = new SideBySide();
      const history: Step[] = [];
      for (const s of steps) {
        history.push(s);
        run.run(s);
        run.check(history);
      }
    }),
    { numRuns: 400 },
  );
});
