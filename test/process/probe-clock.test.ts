import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitForTick } from '../../src/process/probe-clock.ts';

/** Resolves when `n` waiters have run; each records its name, then a batch mark once its tick's synchronous run is over. */
function recorder() {
  const marks: string[] = [];
  let pending: (() => void) | undefined;
  let target = 0;
  let ran = 0;
  const run = (name: string) => (): void => {
    marks.push(name);
    queueMicrotask(() => marks.push('|'));
    if (++ran >= target) setImmediate(() => pending?.());
  };
  const until = (n: number): Promise<void> =>
    new Promise((resolve) => {
      target = n;
      pending = resolve;
    });
  return { marks, run, until };
}

test('waiters on the same interval run together on one tick', async () => {
  const { marks, run, until } = recorder();
  const done = until(3);
  const now = performance.now();
  waitForTick(20, { due: now, run: run('a') });
  waitForTick(20, { due: now, run: run('b') });
  waitForTick(20, { due: now, run: run('c') });
  await done;
  // All three ran in one synchronous pass: no microtask ran between them.
  assert.deepEqual(marks, ['a', 'b', 'c', '|', '|', '|']);
});

test('a waiter runs only once it is due, and not at all once taken off the clock', async () => {
  const { marks, run, until } = recorder();
  const done = until(2);
  const now = performance.now();
  const off = waitForTick(10, { due: now, run: run('removed') });
  off();
  const late = run('late');
  waitForTick(10, {
    due: now,
    run: () => {
      run('early')();
      // Put on the clock during the tick that runs 'early', due after that tick began: the same
      // pass must skip it.
      waitForTick(10, { due: performance.now() + 1, run: late });
    },
  });
  await done;
  assert.deepEqual(marks, ['early', '|', 'late', '|']);
});
