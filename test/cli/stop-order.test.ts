// StopOrderedOutput: once the stack is stopping, a service's lines wait until the progress
// display has shown that service leaving starting/running/ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StopOrderedOutput } from '../../src/cli/stop-order.ts';
import type { LifecycleState, State } from '../../src/state/index.ts';

const stateWith = (services: Record<string, LifecycleState>): State =>
  ({ services: Object.fromEntries(Object.entries(services).map(([id, state]) => [id, { id, state }])) }) as unknown as State;

test('output passes through until stopping, then waits for its service\'s stop to be shown', () => {
  const printed: string[] = [];
  const out = new StopOrderedOutput((l) => printed.push(l));
  out.write('a1', 'alpha');
  assert.deepEqual(printed, ['a1']);
  out.stopping();
  out.write('a2', 'alpha');
  out.write('b1', 'beta');
  assert.deepEqual(printed, ['a1']);
  out.shown(stateWith({ alpha: 'ready', beta: 'stopping' }));
  assert.deepEqual(printed, ['a1', 'b1']);
  out.write('b2', 'beta');
  assert.deepEqual(printed, ['a1', 'b1', 'b2'], 'a service already stopping prints live');
  out.write('a3', 'alpha');
  out.flush();
  assert.deepEqual(printed, ['a1', 'b1', 'b2', 'a2', 'a3']);
  out.write('a4', 'alpha');
  assert.deepEqual(printed.at(-1), 'a4');
});
