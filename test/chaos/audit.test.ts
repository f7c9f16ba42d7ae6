// The chaos audit must catch what it claims to catch; otherwise the kill storm would pass on a
// broken controller. Hand-written logs, each breaking one rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEvent } from '../../src/events/index.ts';
import type { EventType, NestorEvent, PayloadOf, Stored } from '../../src/events/index.ts';
import { auditLog } from './audit.ts';
import type { Tuning } from './audit.ts';

const tuning: Tuning = { immediateFirst: false, initialMs: 5, multiplier: 2, maxMs: 20, resetAfterMs: 200, maxRestarts: 3 };

function logOf(...steps: [EventType, Record<string, unknown>][]): Stored<NestorEvent>[] {
  return steps.map(([type, data], i) => {
    const meta = { id: `E${i}`, timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(), origin: { node: 'n1', component: 'test' } };
    return { ...makeEvent(type, { service: 'svc', ...data } as PayloadOf<typeof type>, meta), seq: i + 1 } as Stored<NestorEvent>;
  });
}

const start = (pid: number, attempt: number): [EventType, Record<string, unknown>] => ['orchestrator.service.start', { pid, attempt, ports: {}, command: 'x' }];
const crash = (pid: number, runtimeMs = 10, expected = false): [EventType, Record<string, unknown>] => [
  'orchestrator.service.exit',
  { pid, code: null, signal: 'SIGKILL', runtimeMs, expected },
];
const scheduled = (attempt: number, delayMs: number): [EventType, Record<string, unknown>] => [
  'orchestrator.service.restart.scheduled',
  { attempt, delayMs, reason: 'killed by SIGKILL' },
];
const exhausted = (attempts: number): [EventType, Record<string, unknown>] => ['orchestrator.service.retries.exhausted', { attempts, maxRestarts: 3 }];

const fullLoop = logOf(
  start(1, 0), crash(1), scheduled(1, 5),
  start(2, 1), crash(2), scheduled(2, 10),
  start(3, 2), crash(3), scheduled(3, 20),
  start(4, 3), crash(4), exhausted(3),
); // one restart per line: start, death, decision

test('a crash loop that follows the policy passes, and its counts add up', () => {
  const { tallies, problems } = auditLog(fullLoop, { svc: tuning });
  assert.deepEqual(problems, []);
  assert.deepEqual(tallies.svc, { starts: 4, exits: 4, stops: 0, unexpected: 4, scheduled: 3, exhausted: 1, startFailed: 0, resets: 0, maxAttempt: 3, live: null });
});

test('a wrong delay, an early give-up and a late give-up are each reported', () => {
  const wrongDelay = logOf(start(1, 0), crash(1), scheduled(1, 7), start(2, 1));
  assert.match(auditLog(wrongDelay, { svc: tuning }).problems.join('\n'), /delay 7 ms for attempt 1, the formula gives 5 ms/);

  const early = logOf(start(1, 0), crash(1), scheduled(1, 5), start(2, 1), crash(2), exhausted(1));
  assert.match(auditLog(early, { svc: tuning }).problems.join('\n'), /gave up after 1 restarts, maxRestarts is 3/);

  const late = logOf(...fullLoop.slice(0, 10).map((e) => [e.type, e.data] as [EventType, Record<string, unknown>]), scheduled(4, 20));
  assert.match(auditLog(late, { svc: tuning }).problems.join('\n'), /restart 4 scheduled although maxRestarts is 3/);
});

test('with immediateFirst the first restart of a streak waits 0 and the backoff starts with the second', () => {
  const immediate: Tuning = { ...tuning, immediateFirst: true };
  const loop = logOf(
    start(1, 0), crash(1), scheduled(1, 0),
    start(2, 1), crash(2), scheduled(2, 5),
    start(3, 2), crash(3, 250), scheduled(1, 0),
    start(4, 1),
  );
  assert.deepEqual(auditLog(loop, { svc: immediate }).problems, []);
  const delayed = logOf(start(1, 0), crash(1), scheduled(1, 5), start(2, 1));
  assert.match(auditLog(delayed, { svc: immediate }).problems.join('\n'), /delay 5 ms for attempt 1, the formula gives 0 ms/);
});

test('a stable run resets the count; forgetting to reset is reported', () => {
  const reset = logOf(start(1, 0), crash(1), scheduled(1, 5), start(2, 1), crash(2, 250), scheduled(1, 5), start(3, 1));
  const audit = auditLog(reset, { svc: tuning });
  assert.deepEqual(audit.problems, []);
  assert.equal(audit.tallies.svc?.resets, 1);
  const noReset = logOf(start(1, 0), crash(1), scheduled(1, 5), start(2, 1), crash(2, 250), scheduled(2, 10));
  assert.match(auditLog(noReset, { svc: tuning }).problems.join('\n'), /attempt 2, the model expects 1/);
});

test('two live processes, a failure without a decision, and a decision without a failure are reported', () => {
  const overlap = auditLog(logOf(start(1, 0), start(2, 0)), { svc: tuning }).problems;
  assert.match(overlap.join('\n'), /pid 2 started while pid 1 had no exit/);
  const undecided = auditLog(logOf(start(1, 0), crash(1), start(2, 1)), { svc: tuning }).problems;
  assert.match(undecided.join('\n'), /not followed by a restart decision/);
  const unprompted = auditLog(logOf(start(1, 0), scheduled(1, 5)), { svc: tuning }).problems;
  assert.match(unprompted.join('\n'), /no failure before it/);
});

test('a stop is an expected exit: no decision, counted among the stops', () => {
  const log = logOf(start(1, 0), ['orchestrator.command.restart', { requestedBy: { node: 'n1', component: 'test' } }], crash(1, 10, true), start(2, 0));
  const { tallies, problems } = auditLog(log, { svc: tuning });
  assert.deepEqual(problems, []);
  assert.equal(tallies.svc?.stops, 1);
  assert.equal(tallies.svc?.live, 2);
});
