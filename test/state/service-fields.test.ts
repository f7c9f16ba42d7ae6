// What the reducer records besides the lifecycle state: spec fields, restarts, exits, errors,
// stale pids, nodes and sequences. The state x event outcomes are in transition-table.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyState, getService, reduce, reduceAll } from '../../src/state/index.ts';
import type { NestorEvent } from '../../src/events/index.ts';
import type { ServiceState, State } from '../../src/state/index.ts';
import { sampleEvent, stored } from '../events/samples.ts';

const ev = sampleEvent;
function run(events: NestorEvent[]): State {
  return reduceAll(stored(events));
}
function api(state: State): ServiceState {
  const s = state.services['api'];
  assert.ok(s, 'api is registered');
  return s;
}

test('register reads the spec defensively and defaults what is missing', () => {
  const s = api(run([ev('orchestrator.service.register')]));
  assert.equal(s.state, 'pending');
  assert.equal(s.enabled, true);
  assert.equal(s.node, 'n1');
  assert.equal(s.displayName, 'API server');
  assert.equal(s.description, 'HTTP API');
  assert.equal(s.kind, 'daemon');
  assert.deepEqual(s.dependencies, [
    { id: 'db', condition: 'ready' },
    { id: 'migrate', condition: 'completed' },
  ]);
  assert.deepEqual(s.profiles, ['dev']);
  assert.equal(s.specVersion, 1);
  assert.equal(s.specHash, 'sha256:9f2c');
  assert.equal(s.lastSeq, 1);
  const odd = api(run([ev('orchestrator.service.register', { spec: { kind: 'cron', dependencies: [42, { id: 'db' }, { nope: 1 }], profiles: ['a', 3] } })]));
  assert.equal(odd.displayName, 'api');
  assert.equal(odd.kind, 'daemon');
  assert.deepEqual(odd.dependencies, [{ id: 'db', condition: 'ready' }]);
  assert.deepEqual(odd.profiles, ['a']);
});

test('re-register replaces spec fields and the owning node, and keeps the runtime', () => {
  const state = run([
    ev('orchestrator.service.register'),
    ev('orchestrator.service.start', { attempt: 2 }),
    ev('orchestrator.service.ready'),
    ev('orchestrator.service.register', { spec: { displayName: 'API v2', kind: 'oneshot' }, specVersion: 2, specHash: 'sha256:beef' }, 5, 'n2'),
  ]);
  const s = api(state);
  assert.equal(s.state, 'ready');
  assert.equal(s.pid, 4242);
  assert.equal(s.restarts, 1);
  assert.equal(s.displayName, 'API v2');
  assert.equal(s.kind, 'oneshot');
  assert.equal(s.specVersion, 2);
  assert.equal(s.node, 'n2');
  assert.deepEqual(s.dependencies, []);
});

test('a rejected registration is applied, creates nothing and changes nothing', () => {
  const state = run([ev('orchestrator.service.register.rejected')]);
  assert.deepEqual(state.services, {});
  assert.deepEqual(state.counters, { applied: 1, ignored: 0, ignoredByType: {} });
  const registered = run([ev('orchestrator.service.register'), ev('orchestrator.service.register.rejected', { errors: [] })]);
  assert.equal(api(registered).specHash, 'sha256:9f2c');
});

test('restarts count retries (attempt > 0) and the first start after a restart command', () => {
  const state = run([
    ev('orchestrator.service.register'),
    ev('orchestrator.service.start', { attempt: 0 }),
    ev('orchestrator.service.exit'),
    ev('orchestrator.service.restart.scheduled', { attempt: 1 }),
    ev('orchestrator.service.start', { attempt: 1 }),
    ev('orchestrator.service.ready'),
    ev('orchestrator.command.restart'),
    ev('orchestrator.command.restart'),
    ev('orchestrator.service.stop'),
    ev('orchestrator.service.exit', { code: 0, expected: true }),
    ev('orchestrator.service.start', { attempt: 0 }),
    ev('orchestrator.command.stop'),
    ev('orchestrator.service.stop'),
    ev('orchestrator.service.exit', { code: 0 }),
    ev('orchestrator.command.start'),
    ev('orchestrator.service.start', { attempt: 0 }),
  ]);
  const s = api(state);
  assert.equal(s.restarts, 2, 'one retry + one restart command; a stop/start is not a restart');
  assert.equal(s.restartRequested, false);
  assert.equal(s.attempt, 0);
  assert.equal(state.counters.ignored, 0);
});

test('exits: a one-shot exiting 0 completes; other exits stop and record the exit', () => {
  const oneshot = (exit: Record<string, unknown>): ServiceState =>
    api(run([ev('orchestrator.service.register', { spec: { kind: 'oneshot' } }), ev('orchestrator.service.start'), ev('orchestrator.service.exit', exit, 5000)]));
  assert.equal(oneshot({ code: 0 }).state, 'completed');
  assert.equal(oneshot({ code: 2 }).state, 'stopped');
  assert.equal(oneshot({ code: null, signal: 'SIGKILL' }).state, 'stopped');
  assert.deepEqual(oneshot({ code: null, signal: 'SIGKILL' }).lastExit, { code: null, signal: 'SIGKILL', at: '2025-03-14T09:26:58.000Z' });
  const daemon = api(run([ev('orchestrator.service.register'), ev('orchestrator.service.start'), ev('orchestrator.service.exit', { code: 0 })]));
  assert.equal(daemon.state, 'stopped');
  assert.equal(daemon.pid, null);
  assert.deepEqual(daemon.health, { readiness: 'unknown', liveness: 'unknown' });
});

test('disable: the exit after the stop lands in disabled, and the disabled event confirms it', () => {
  const events = [
    ev('orchestrator.service.register'),
    ev('orchestrator.service.start'),
    ev('orchestrator.service.ready'),
    ev('orchestrator.command.disable'),
    ev('orchestrator.service.stop', { reason: 'disable' }),
  ];
  const stopping = run(events);
  assert.equal(api(stopping).state, 'stopping');
  assert.equal(api(stopping).enabled, false);
  const exited = reduce(stopping, { ...ev('orchestrator.service.exit', { code: null, signal: 'SIGTERM' }), seq: 6 });
  assert.equal(api(exited).state, 'disabled');
  const confirmed = reduce(exited, { ...ev('orchestrator.service.disabled'), seq: 7 });
  assert.equal(api(confirmed).state, 'disabled');
  assert.equal(confirmed.counters.ignored, 0);
  const enabled = reduce(confirmed, { ...ev('orchestrator.command.enable'), seq: 8 });
  assert.equal(api(enabled).enabled, true);
  assert.equal(api(enabled).state, 'disabled', 'enable is intent; the start that follows changes the state');
});

test('events naming a pid other than the current process are stale and ignored', () => {
  const state = run([
    ev('orchestrator.service.register'),
    ev('orchestrator.service.start', { pid: 200 }),
    ev('orchestrator.service.ready', { pid: 100 }),
    ev('orchestrator.service.exit', { pid: 100 }),
  ]);
  assert.equal(api(state).state, 'running');
  assert.equal(api(state).pid, 200);
  assert.deepEqual(state.counters.ignoredByType, { 'orchestrator.service.ready': 1, 'orchestrator.service.exit': 1 });
});

test('a stop while starting waits for the spawn and its exit, recording the process', () => {
  const state = run([
    ev('orchestrator.service.register'),
    ev('orchestrator.service.ensure'),
    ev('orchestrator.service.stop', { pid: null }),
    ev('orchestrator.service.start'),
  ]);
  assert.equal(api(state).state, 'stopping');
  assert.equal(api(state).pid, 4242);
  const done = reduce(state, { ...ev('orchestrator.service.exit'), seq: 5 });
  assert.equal(api(done).state, 'stopped');
  assert.equal(done.counters.ignored, 0);
});

test('errors: port conflict and start failure set lastError, ready clears it', () => {
  const failed = run([ev('orchestrator.service.register'), ev('orchestrator.service.port.conflict'), ev('orchestrator.service.start.failed', { reason: 'port-conflict', error: 'port 8080 in use' })]);
  assert.equal(api(failed).state, 'failed');
  assert.equal(api(failed).lastError, 'port-conflict: port 8080 in use');
  const conflict = run([ev('orchestrator.service.register'), ev('orchestrator.service.port.conflict')]);
  assert.equal(api(conflict).lastError, 'port primary (8080) is held by pid 999 (python3 -m http.server 8080)');
  const recovered = run([
    ev('orchestrator.service.register'),
    ev('orchestrator.service.start.failed'),
    ev('orchestrator.service.start'),
    ev('orchestrator.service.ready'),
  ]);
  assert.equal(api(recovered).lastError, null);
});

test('health and log metadata accumulate; a new process resets health', () => {
  const state = run([
    ev('orchestrator.service.register'),
    ev('orchestrator.service.start'),
    ev('orchestrator.service.health', { probe: 'liveness', status: 'passing' }),
    ev('orchestrator.service.health', { probe: 'readiness', status: 'failing' }),
    ev('orchestrator.service.log'),
    ev('orchestrator.service.log', { bytes: 100, lines: 1 }),
  ]);
  assert.deepEqual(api(state).health, { readiness: 'failing', liveness: 'passing' });
  assert.deepEqual(api(state).log, { bytes: 612, lines: 9 });
  const after = reduceAll(stored([ev('orchestrator.service.exit'), ev('orchestrator.service.start', { pid: 4243 })], 7), state);
  assert.deepEqual(api(after).health, { readiness: 'unknown', liveness: 'unknown' });
  assert.deepEqual(api(after).log, { bytes: 612, lines: 9 }, 'log totals survive restarts');
});

test('nodes: up records how to reach a node, broker and down update it', () => {
  const up = run([ev('orchestrator.node.up'), ev('orchestrator.node.broker', {}, 10)]);
  assert.deepEqual(up.nodes['n1'], {
    id: 'n1',
    status: 'up',
    pid: 3100,
    hostname: 'devbox',
    version: '0.1.0',
    nats: 'nats://127.0.0.1:41222',
    api: 'http://127.0.0.1:41223',
    dataDir: '/home/dev/project/.data',
    broker: 'reconnecting',
    since: '2025-03-14T09:26:53.000Z',
    tags: [],
    address: '127.0.0.1',
    draining: false,
    downReason: null,
    declaredBy: null,
  });
  const down = reduce(up, { ...ev('orchestrator.node.down', {}, 20), seq: 3 });
  assert.equal(down.nodes['n1']?.status, 'down');
  assert.equal(down.nodes['n1']?.pid, null);
  assert.equal(down.nodes['n1']?.hostname, 'devbox');
  const unknown = run([ev('orchestrator.node.broker', { node: 'n7', status: 'connected' }, 0, 'n7')]);
  assert.equal(unknown.nodes['n7']?.status, 'up');
});

test('a node that comes back releases the processes of its previous life, so new starts apply', () => {
  const state = run([
    ev('orchestrator.node.up'),
    ev('orchestrator.service.register'),
    ev('orchestrator.service.register', { service: 'db' }, 0, 'n2'),
    ev('orchestrator.service.start'),
    ev('orchestrator.service.ready'),
    ev('orchestrator.service.start', { service: 'db', pid: 900 }, 0, 'n2'),
    // n1 crashed without publishing anything and boots again:
    ev('orchestrator.node.up', { pid: 3200 }, 60_000),
    ev('orchestrator.service.register', {}, 60_001),
    ev('orchestrator.service.start', { pid: 5000 }, 60_010),
  ]);
  assert.equal(api(state).state, 'running');
  assert.equal(api(state).pid, 5000);
  assert.equal(api(state).lastError, 'node n1 restarted');
  assert.equal(state.services['db']?.state, 'running', 'services of other nodes are untouched');
  assert.equal(state.counters.ignored, 0);
});

test("a node's node.up stored after an instance it started later by its own clock leaves that instance running", () => {
  const state = run([
    ev('orchestrator.node.up'),
    ev('orchestrator.service.register'),
    ev('orchestrator.node.down', { reason: 'lease expired' }, 5_000),
    // n1 rejoins: it starts api, while its node.up (sent before the start) reaches the stream after it.
    ev('orchestrator.service.start', { pid: 5000 }, 7_000),
    ev('orchestrator.service.ready', { pid: 5000 }, 7_001),
    ev('orchestrator.node.up', {}, 6_000),
  ]);
  assert.equal(api(state).state, 'ready');
  assert.equal(api(state).pid, 5000);
});

test('events without a stream sequence apply in order and leave the cursor at 0', () => {
  const e = ev('orchestrator.service.register');
  const state = reduceAll([e, ev('orchestrator.service.log'), ev('orchestrator.service.log')]);
  assert.equal(state.seq, 0);
  assert.equal(api(state).lastSeq, 0);
  assert.equal(api(state).log.lines, 16, 'both logs counted: no sequence, no dedupe');
  assert.equal(reduce(emptyState(), { ...e, seq: 0 }).seq, 0);
});

test('regression: ids named like Object.prototype members are ordinary ids', () => {
  for (const id of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
    const unknown = run([ev('orchestrator.service.start', { service: id }), ev('orchestrator.command.restart', { service: id })]);
    assert.deepEqual(unknown.services, {}, `${id}: unregistered`);
    assert.equal(unknown.counters.ignored, 2, `${id}: both ignored`);
    const state = run([ev('orchestrator.service.register', { service: id }), ev('orchestrator.service.start', { service: id })]);
    assert.equal(state.services[id]?.state, 'running', id);
    assert.equal(getService(state, id)?.pid, 4242);
    assert.equal(getService(emptyState(), id), undefined);
    assert.equal(run([ev('orchestrator.node.down', { node: id }, 0, id)]).nodes[id]?.status, 'down');
  }
});
