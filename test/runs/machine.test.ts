// The run state machine as a table: for every state (row) and every action (column), the state
// the run ends in, or the code of the refusal. Paths to each state are made of the real
// operations, not hand-built records. Then the rules the registry's answers rest on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RUN_STATES,
  RunError,
  ackCommand,
  escalate,
  finish,
  forceTerminate,
  healthAt,
  heartbeat,
  newRun,
  nextCommand,
  parseCommand,
  parseCreate,
  parseHeartbeat,
  sendCommand,
  transition,
} from '../../src/runs/core/index.ts';
import type { Run, RunErrorCode, RunState } from '../../src/runs/core/index.ts';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0 + ms);

const ACTIONS = ['heartbeat', 'finish succeeded', 'finish failed', 'ack pause', 'ack resume', 'ack terminate', 'ack tune', 'command', 'terminate unacknowledged'] as const;
type Action = (typeof ACTIONS)[number];
type Cell = RunState | RunErrorCode;

// prettier-ignore
const TABLE: Record<RunState, readonly Cell[]> = {
  //           heartbeat   succeeded    failed      ack pause   ack resume  ack term.    ack tune    command     terminate unacked
  queued:     ['running',  'succeeded', 'failed',   'queued',   'queued',   'terminated', 'queued',  'queued',   'terminated'],
  running:    ['running',  'succeeded', 'failed',   'paused',   'running',  'terminated', 'running', 'running',  'terminated'],
  paused:     ['paused',   'succeeded', 'failed',   'paused',   'running',  'terminated', 'paused',  'paused',   'terminated'],
  succeeded:  ['finished', 'succeeded', 'finished', 'succeeded','succeeded','succeeded',  'succeeded','finished','succeeded'],
  failed:     ['finished', 'finished',  'failed',   'failed',   'failed',   'failed',     'failed',  'finished', 'failed'],
  terminated: ['finished', 'finished',  'finished', 'terminated','terminated','terminated','terminated','finished','terminated'],
};

let clock = 0;
const tick = (): Date => at((clock += 10));

function created(): Run {
  return newRun('r-1', { experiment: 'mnist', version: 'v1' }, null, at(0)).run;
}
function withCommand(run: Run, type: 'pause' | 'resume' | 'terminate' | 'tune', id: string): Run {
  return sendCommand(run, { type, params: type === 'tune' ? { lr: 0.5 } : {} }, id, 'test', tick()).run;
}
function acked(run: Run, type: 'pause' | 'resume' | 'terminate' | 'tune'): Run {
  const id = `c-${type}-${clock}`;
  return ackCommand(withCommand(run, type, id), id, tick()).run;
}

const PATHS: Record<RunState, () => Run> = {
  queued: created,
  running: () => heartbeat(created(), { step: 1, checkpointVersion: 0 }, tick()).run,
  paused: () => acked(PATHS.running(), 'pause'),
  succeeded: () => finish(PATHS.running(), { state: 'succeeded' }, tick()).run,
  failed: () => finish(PATHS.running(), { state: 'failed', error: 'out of memory' }, tick()).run,
  terminated: () => acked(PATHS.running(), 'terminate'),
};

// Acks of commands sent while the run could still take them: a finished run's own commands.
function act(run: Run, action: Action): Run {
  const now = tick();
  switch (action) {
    case 'heartbeat':
      return heartbeat(run, { step: run.step + 1, checkpointVersion: run.checkpointVersion }, now).run;
    case 'finish succeeded':
      return finish(run, { state: 'succeeded' }, now).run;
    case 'finish failed':
      return finish(run, { state: 'failed', error: 'boom' }, now).run;
    case 'ack pause':
    case 'ack resume':
    case 'ack terminate':
    case 'ack tune': {
      const type = action.slice(4) as 'pause' | 'resume' | 'terminate' | 'tune';
      const pending = run.commands.find((c) => c.type === type && c.acknowledgedAt === null);
      if (pending !== undefined) return ackCommand(run, pending.id, now).run;
      const id = `c-x-${clock}`;
      return ['succeeded', 'failed', 'terminated'].includes(run.state) ? run : ackCommand(withCommand(run, type, id), id, now).run;
    }
    case 'command':
      return sendCommand(run, { type: 'pause' }, `c-new-${clock}`, 'test', now).run;
    case 'terminate unacknowledged':
      return forceTerminate(run, 'terminate not acknowledged within 30s', now).run;
  }
}

test('every state and action has the outcome in the table', () => {
  for (const state of RUN_STATES) {
    const before = PATHS[state]();
    assert.equal(before.state, state, `path to ${state}`);
    ACTIONS.forEach((action, i) => {
      const expected = TABLE[state][i] as Cell;
      const where = `${state} + ${action}`;
      let outcome: Cell;
      try {
        outcome = act(before, action).state;
      } catch (err) {
        assert.ok(err instanceof RunError, `${where}: ${String(err)}`);
        outcome = err.code;
      }
      assert.equal(outcome, expected, where);
    });
  }
});

test('transition refuses an edge the machine does not have, saying where the run can go', () => {
  const queued = created();
  assert.throws(() => transition(queued, 'paused', 'x', tick()), (e: RunError) => e.code === 'conflict' && /from queued it can go to running, succeeded, failed, terminated/.test(e.message));
  const done = PATHS.succeeded();
  assert.throws(() => transition(done, 'running', 'x', tick()), (e: RunError) => e.code === 'finished' && /final/.test(e.message));
});

test('step and checkpointVersion never go backwards: the conflict names the field, stored and sent', () => {
  const run = heartbeat(created(), { step: 10, checkpointVersion: 3 }, tick()).run;
  assert.throws(
    () => heartbeat(run, { step: 9, checkpointVersion: 3 }, tick()),
    (e: RunError) => e.code === 'conflict' && e.message === 'step went backwards: stored 10, sent 9' && e.details?.field === 'step' && e.details.stored === 10 && e.details.sent === 9,
  );
  assert.throws(() => heartbeat(run, { step: 11, checkpointVersion: 2 }, tick()), (e: RunError) => e.details?.field === 'checkpointVersion' && e.details.stored === 3 && e.details.sent === 2);
  assert.equal(heartbeat(run, { step: 10, checkpointVersion: 3 }, tick()).run.step, 10, 'the same values again are taken');
});

test('a repeated command id answers the first command, creates nothing and tells no event', () => {
  const first = sendCommand(created(), { id: 'c1', type: 'pause' }, 'c1', 'cli', tick());
  const again = sendCommand(first.run, { id: 'c1', type: 'resume' }, 'c1', 'cli', tick());
  assert.equal(again.result.created, false);
  assert.equal(again.result.command, first.result.command);
  assert.equal(again.run, first.run);
  assert.deepEqual(again.events, []);
});

test('delivery and ack stamps are set once; redelivery gives the delivered, unacknowledged command back', () => {
  let run = withCommand(withCommand(created(), 'pause', 'c1'), 'tune', 'c2');
  const first = nextCommand(run, false, at(1000));
  run = first.run;
  assert.equal(first.result?.id, 'c1');
  assert.equal(first.result?.deliveredAt, at(1000).toISOString());
  const redelivered = nextCommand(run, true, at(2000));
  assert.equal(redelivered.result?.id, 'c1');
  assert.equal(redelivered.result?.deliveredAt, at(1000).toISOString(), 'the stamp stays');
  assert.equal(redelivered.run, run);
  const second = nextCommand(run, false, at(3000));
  assert.equal(second.result?.id, 'c2');
  run = second.run;
  assert.equal(nextCommand(run, false, at(4000)).result, null);
  const ack = ackCommand(run, 'c1', at(5000));
  const ackAgain = ackCommand(ack.run, 'c1', at(6000));
  assert.equal(ackAgain.result.acknowledgedAt, at(5000).toISOString());
  assert.deepEqual(ackAgain.events, []);
  assert.throws(() => ackCommand(run, 'c9', at(7000)), (e: RunError) => e.code === 'not_found');
});

test('a tune ack merges its params into the run', () => {
  const run = acked(heartbeat(newRun('r-2', { experiment: 'e', version: '1', params: { lr: 1, epochs: 3 } }, null, at(0)).run, { step: 0, checkpointVersion: 0 }, tick()).run, 'tune');
  assert.deepEqual(run.params, { lr: 0.5, epochs: 3 });
});

test('health escalates with missed intervals, holds while paused, and a heartbeat makes it healthy', () => {
  const run = heartbeat(newRun('r-3', { experiment: 'e', version: '1', heartbeatIntervalMs: 100 }, null, at(0)).run, { step: 0, checkpointVersion: 0 }, at(0)).run;
  assert.equal(healthAt(run, at(199)), 'healthy');
  assert.equal(healthAt(run, at(200)), 'late');
  assert.equal(healthAt(run, at(500)), 'stale');
  assert.equal(healthAt(run, at(1000)), 'lost');
  const lost = escalate(run, at(1000));
  assert.equal(lost.run.health, 'lost');
  assert.deepEqual(
    lost.events.map((e) => (e.type === 'orchestrator.run.health' ? `${e.data.from}→${e.data.to}` : e.type)),
    ['healthy→late', 'late→stale', 'stale→lost'],
    'a late check still tells every level',
  );
  assert.deepEqual(escalate(lost.run, at(5000)).events, [], 'no second escalation');
  const back = heartbeat(lost.run, { step: 1, checkpointVersion: 0 }, at(1100));
  assert.equal(back.run.health, 'healthy');
  assert.deepEqual(back.events.map((e) => e.type), ['orchestrator.run.heartbeat', 'orchestrator.run.health']);
  const sent = sendCommand(back.run, { type: 'pause' }, 'p', 'test', at(1100)).run;
  const paused = ackCommand(sent, 'p', at(1100)).run;
  assert.equal(healthAt(paused, at(100_000)), 'healthy', 'a paused run is not late');
  const resumed = ackCommand(sendCommand(paused, { type: 'resume' }, 'r', 'test', at(100_000)).run, 'r', at(100_000)).run;
  assert.equal(healthAt(resumed, at(100_150)), 'healthy', 'the clock starts again at the resume');
});

test('bodies are refused with a message naming the field', () => {
  const refused = (fn: () => unknown, pattern: RegExp): void => {
    assert.throws(fn, (e: RunError) => e.code === 'invalid' && pattern.test(e.message), String(pattern));
  };
  refused(() => parseHeartbeat({ checkpointVersion: 1 }), /step/);
  refused(() => parseHeartbeat({ step: -1, checkpointVersion: 0 }), /step: expected a non-negative integer/);
  refused(() => parseHeartbeat({ step: 1.5, checkpointVersion: 0 }), /step/);
  refused(() => parseHeartbeat({ step: 1, checkpoint_version: 0 }), /checkpoint_version/);
  refused(() => parseHeartbeat({ step: 1, checkpointVersion: 0, metrics: { loss: 'low' } }), /metrics\.loss/);
  refused(() => parseHeartbeat([1, 2]), /body/);
  refused(() => parseCommand({ type: 'explode' }), /type: unknown command type "explode"; known: pause, resume, terminate, tune/);
  refused(() => parseCommand({ type: 'tune' }), /params: tune needs at least one parameter/);
  refused(() => parseCommand({ type: 'tune', params: {} }), /params/);
  refused(() => parseCommand({ type: 'pause', id: 'has space' }), /id/);
  refused(() => parseCreate({ experiment: '', version: '1' }), /experiment/);
  refused(() => parseCreate({ experiment: 'e', version: '1', id: 'a.b' }), /id/);
  assert.deepEqual(parseCommand({ type: 'tune', params: { lr: 0.1 } }), { type: 'tune', params: { lr: 0.1 } });
});
