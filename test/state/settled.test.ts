// Settledness: the states in which a service needs nothing more to happen (`up --detach` waits for them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIFECYCLE_STATES, isSettled, reduceAll } from '../../src/state/index.ts';
import type { LifecycleState } from '../../src/state/index.ts';
import { sampleEvent, stored } from '../events/samples.ts';

test('settled means ready, completed, failed or disabled', () => {
  const settled = new Set<LifecycleState>(['ready', 'completed', 'failed', 'disabled']);
  const base = reduceAll(stored([sampleEvent('orchestrator.service.register')])).services['api'];
  assert.ok(base);
  for (const state of LIFECYCLE_STATES) assert.equal(isSettled({ ...base, state }), settled.has(state), state);
});
