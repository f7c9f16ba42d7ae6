// Settled: no further transition will happen without a user's action. The one rule behind
// `up --detach`, the foreground summary and the UIs' header counts, checked on reduced histories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIFECYCLE_STATES, blockedBy, isSettled, reduceAll } from '../../src/state/index.ts';
import type { LifecycleState, ServiceState, State } from '../../src/state/index.ts';
import type { NestorEvent } from '../../src/events/index.ts';
import { sampleEvent, stored } from '../events/samples.ts';

const reg = (service: string, spec: Record<string, unknown> = {}): NestorEvent => sampleEvent('orchestrator.service.register', { service, spec });
const ev = <T extends NestorEvent['type']>(type: T, service: string, data: Record<string, unknown> = {}): NestorEvent =>
  sampleEvent(type, { service, ...data } as never);
const run = (...events: NestorEvent[]): State => reduceAll(stored(events));

test('without a restart on its way: ready, completed, failed, stopped, disabled and lost are settled', () => {
  const settled = new Set<LifecycleState>(['ready', 'completed', 'failed', 'stopped', 'disabled', 'lost']);
  const state = run(reg('api'));
  const base = state.services['api'];
  assert.ok(base);
  for (const s of LIFECYCLE_STATES) {
    const one: ServiceState = { ...base, state: s };
    assert.equal(isSettled({ ...state, services: { api: one } }, one), settled.has(s), s);
  }
});

test('a start failure or an exit that announces a restart has not settled; the same without one has', () => {
  const retrying = run(reg('ghost'), ev('orchestrator.service.starting', 'ghost'), ev('orchestrator.service.start.failed', 'ghost', { restart: true }));
  assert.equal(retrying.services['ghost']?.state, 'failed');
  assert.equal(isSettled(retrying, retrying.services['ghost']!), false, 'a restart.scheduled follows');
  const givenUp = run(reg('ghost'), ev('orchestrator.service.starting', 'ghost'), ev('orchestrator.service.start.failed', 'ghost', { restart: false }));
  assert.equal(isSettled(givenUp, givenUp.services['ghost']!), true);

  const crashing = run(reg('api'), ev('orchestrator.service.start', 'api'), ev('orchestrator.service.exit', 'api', { code: 1, expected: false, restart: true }));
  assert.equal(crashing.services['api']?.state, 'stopped');
  assert.equal(isSettled(crashing, crashing.services['api']!), false);
});

test('an error exit with no restart left ends in failed, with its exit code as the reason', () => {
  const state = run(reg('api'), ev('orchestrator.service.start', 'api'), ev('orchestrator.service.exit', 'api', { code: 3, expected: false, restart: false, failed: true }));
  assert.equal(state.services['api']?.state, 'failed');
  assert.equal(state.services['api']?.lastError, 'exited with code 3');
  assert.equal(isSettled(state, state.services['api']!), true);
});

test('a dependent of a dependency that failed for good is blocked, and so settled, down the chain', () => {
  const state = run(
    reg('alpha'),
    reg('beta', { dependencies: ['alpha'] }),
    reg('gamma', { dependencies: [{ id: 'beta', condition: 'started' }] }),
    ev('orchestrator.service.pending', 'beta', { waitingFor: ['alpha'] }),
    ev('orchestrator.service.pending', 'gamma', { waitingFor: ['beta'] }),
    ev('orchestrator.service.starting', 'alpha'),
    ev('orchestrator.service.start.failed', 'alpha', { restart: true }),
  );
  assert.equal(blockedBy(state, state.services['beta']!), null, 'alpha will be retried');
  assert.equal(isSettled(state, state.services['beta']!), false);

  const failed = reduceAll([ev('orchestrator.service.retries.exhausted', 'alpha', { attempts: 5, maxRestarts: 5 })], state);
  assert.deepEqual(blockedBy(failed, failed.services['beta']!), { dependency: 'alpha', state: 'failed', reason: 'blocked: alpha failed' });
  assert.deepEqual(blockedBy(failed, failed.services['gamma']!), { dependency: 'beta', state: 'blocked', reason: 'blocked: beta blocked' });
  assert.equal(isSettled(failed, failed.services['gamma']!), true);
});

test('waiting on a dependency that is still on its way is not blocked; a daemon awaited to complete is', () => {
  const state = run(
    reg('db'),
    reg('api', { dependencies: [{ id: 'db', condition: 'completed' }] }),
    ev('orchestrator.service.pending', 'api', { waitingFor: ['db'] }),
    ev('orchestrator.service.start', 'db'),
  );
  assert.equal(blockedBy(state, state.services['api']!), null, 'db is running, not settled');
  const ready = reduceAll([ev('orchestrator.service.ready', 'db')], state);
  assert.equal(blockedBy(ready, ready.services['api']!)?.reason, 'blocked: db is ready but never completes (a daemon)');
});
