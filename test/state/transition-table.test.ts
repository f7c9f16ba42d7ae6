// The service state machine as a table, in the spirit of s6's actions[state][event]: for every
// event type (row) and every lifecycle state (column), what a service in that state becomes.
//   '='      applied, the lifecycle state does not change (fields may: health, log, lastError...)
//   '-'      impossible in that state: ignored, counted in counters.ignored / ignoredByType
//   <state>  applied, the service moves to that state
//   'none'   applied, and there is no such service (any more: a retired service leaves the state)
// The last column is a service that was never registered. The table is checked exhaustively:
// a new event type or state without a row or column fails the typecheck and this test. The same
// table is printed in docs/events.md, and the last test keeps the two identical. Run events
// never touch a service: a run's creation is applied, the others are ignored (no run here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EVENT_TYPES } from '../../src/events/index.ts';
import type { EventType, NestorEvent } from '../../src/events/index.ts';
import { LIFECYCLE_STATES, reduce, reduceAll } from '../../src/state/index.ts';
import type { LifecycleState, State } from '../../src/state/index.ts';
import { SAMPLE, sampleEvent, stored } from '../events/samples.ts';

type Cell = LifecycleState | '=' | '-' | 'none';
type Row = readonly [Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell];
const COLUMNS = [...LIFECYCLE_STATES, 'unregistered'] as const;

// prettier-ignore
const TABLE: Record<EventType, Row> = {
  //                                           pending    starting   running    ready      stopping   stopped    completed  backoff    failed     disabled   lost       unregistered
  'orchestrator.service.register':           ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'pending'],
  'orchestrator.service.register.rejected':  ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.service.pending':            ['=',       '-',       '-',       '-',       '-',       'pending', 'pending', 'pending', 'pending', 'pending', 'pending', '-'],
  'orchestrator.service.starting':           ['starting','-',       '-',       '-',       '-',       'starting','starting','starting','starting','starting','starting','-'],
  'orchestrator.service.ensure':             ['starting','=',       '-',       '-',       '-',       'starting','starting','starting','starting','starting','starting','-'],
  'orchestrator.service.port.conflict':      ['=',       '=',       '-',       '-',       '-',       '=',       '=',       '=',       '=',       '=',       '=',       '-'],
  'orchestrator.service.port.reclaimed':     ['=',       '=',       '-',       '-',       '-',       '=',       '=',       '=',       '=',       '=',       '=',       '-'],
  'orchestrator.service.start':              ['running', 'running', '-',       '-',       '-',       'running', 'running', 'running', 'running', 'running', 'running', '-'],
  'orchestrator.service.ready':              ['-',       '-',       'ready',   '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-'],
  'orchestrator.service.health':             ['-',       '-',       '=',       '=',       '=',       '-',       '-',       '-',       '-',       '-',       '-',       '-'],
  'orchestrator.service.memory.exceeded':   ['-',       '-',       '=',       '=',       '=',       '-',       '-',       '-',       '-',       '-',       '-',       '-'],
  'orchestrator.service.stop':               ['stopped', 'stopping','stopping','stopping','=',       '-',       '-',       'stopped', '-',       '-',       '-',       '-'],
  'orchestrator.service.exit':               ['-',       'stopped', 'stopped', 'stopped', 'stopped', '-',       '-',       '-',       '-',       '-',       '-',       '-'],
  'orchestrator.service.start.failed':       ['failed',  'failed',  '-',       '-',       'stopped', 'failed',  'failed',  'failed',  '=',       'failed',  'failed',  '-'],
  'orchestrator.service.restart.scheduled':  ['-',       '-',       '-',       '-',       '-',       'backoff', 'backoff', '=',       'backoff', '-',       'backoff', '-'],
  'orchestrator.service.retries.exhausted':  ['-',       '-',       '-',       '-',       '-',       'failed',  'failed',  'failed',  '=',       '-',       'failed',  '-'],
  'orchestrator.service.schedule.next':      ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '-'],
  'orchestrator.service.schedule.run':       ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '-'],
  'orchestrator.service.schedule.skipped':   ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '-'],
  'orchestrator.service.disabled':           ['disabled','disabled','-',       '-',       '-',       'disabled','disabled','disabled','disabled','=',       'disabled','-'],
  'orchestrator.service.retired':            ['none',    '-',       '-',       '-',       '-',       'none',    'none',    'none',    'none',    'none',    'none',    '-'],
  'orchestrator.service.placed':             ['=',       'pending', 'pending', 'pending', 'pending', '=',       '=',       'pending', '=',       '=',       'pending', '-'],
  'orchestrator.service.lost':               ['lost',    '-',       '-',       '-',       '-',       'lost',    'lost',    'lost',    'lost',    'lost',    '=',       '-'],
  'orchestrator.service.unplaced':           ['=',       '-',       '-',       '-',       '-',       'pending', 'pending', 'pending', 'pending', 'pending', 'pending', '-'],
  'orchestrator.service.log':                ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '-'],
  'orchestrator.service.watch.changed':      ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.command.enable':             ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '-'],
  'orchestrator.command.disable':            ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '-'],
  'orchestrator.command.start':              ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '-'],
  'orchestrator.command.stop':               ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '-'],
  'orchestrator.command.restart':            ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '-'],
  'orchestrator.command.forget':             ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '-'],
  'orchestrator.node.up':                    ['=',       'stopped', 'stopped', 'stopped', 'stopped', '=',       '=',       'stopped', '=',       '=',       '=',       'none'],
  'orchestrator.node.down':                  ['=',       'stopped', 'stopped', 'stopped', 'stopped', '=',       '=',       'stopped', '=',       '=',       '=',       'none'],
  'orchestrator.node.draining':              ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.node.broker':                ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.caddy.started':              ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.caddy.config.applied':       ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.caddy.exited':               ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.caddy.stopped':              ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.caddy.cert.stored':          ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.caddy.cert.restored':        ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.snapshot.saved':             ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.project.applied':            ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.project.rejected':           ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.run.created':                ['=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       '=',       'none'],
  'orchestrator.run.attached':               ['-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-'],
  'orchestrator.run.heartbeat':              ['-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-'],
  'orchestrator.run.state':                  ['-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-'],
  'orchestrator.run.health':                 ['-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-'],
  'orchestrator.run.command.sent':           ['-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-'],
  'orchestrator.run.command.delivered':      ['-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-'],
  'orchestrator.run.command.acked':          ['-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-',       '-'],
};

// How a service reaches each state: real event sequences, not a hand-built object.
const PATHS: Record<LifecycleState | 'unregistered', NestorEvent[]> = {
  pending: [sampleEvent('orchestrator.service.register')],
  starting: [sampleEvent('orchestrator.service.register'), sampleEvent('orchestrator.service.starting')],
  running: [sampleEvent('orchestrator.service.register'), sampleEvent('orchestrator.service.start')],
  ready: [
    sampleEvent('orchestrator.service.register'),
    sampleEvent('orchestrator.service.start'),
    sampleEvent('orchestrator.service.ready'),
  ],
  stopping: [
    sampleEvent('orchestrator.service.register'),
    sampleEvent('orchestrator.service.start'),
    sampleEvent('orchestrator.service.ready'),
    sampleEvent('orchestrator.service.stop'),
  ],
  stopped: [
    sampleEvent('orchestrator.service.register'),
    sampleEvent('orchestrator.service.start'),
    sampleEvent('orchestrator.service.ready'),
    sampleEvent('orchestrator.service.stop'),
    sampleEvent('orchestrator.service.exit', { code: 0, signal: null, expected: true }),
  ],
  completed: [
    sampleEvent('orchestrator.service.register', { spec: { kind: 'oneshot' } }),
    sampleEvent('orchestrator.service.start'),
    sampleEvent('orchestrator.service.exit', { code: 0 }),
  ],
  backoff: [
    sampleEvent('orchestrator.service.register'),
    sampleEvent('orchestrator.service.start'),
    sampleEvent('orchestrator.service.exit'),
    sampleEvent('orchestrator.service.restart.scheduled'),
  ],
  failed: [sampleEvent('orchestrator.service.register'), sampleEvent('orchestrator.service.start.failed')],
  disabled: [sampleEvent('orchestrator.service.register'), sampleEvent('orchestrator.service.disabled')],
  lost: [sampleEvent('orchestrator.service.register'), sampleEvent('orchestrator.service.lost')],
  unregistered: [sampleEvent('orchestrator.node.up')],
};

function build(column: (typeof COLUMNS)[number]): State {
  const state = reduceAll(stored(PATHS[column]));
  if (column !== 'unregistered') assert.equal(state.services[SAMPLE.service]?.state, column, `path to ${column}`);
  assert.equal(state.counters.ignored, 0, `path to ${column} has no ignored event`);
  return state;
}

test('the table has one row per event type and one column per lifecycle state', () => {
  assert.deepEqual(Object.keys(TABLE).sort(), [...EVENT_TYPES].sort());
  for (const [type, row] of Object.entries(TABLE)) assert.equal(row.length, COLUMNS.length, type);
});

for (const [col, column] of COLUMNS.entries()) {
  test(`from ${column}: every event type has the outcome in the table`, () => {
    const before = build(column);
    const prev = before.services[SAMPLE.service];
    for (const type of EVENT_TYPES) {
      const expected = (TABLE[type] as Row)[col] as Cell;
      const after = reduce(before, { ...sampleEvent(type, {}, 60_000), seq: before.seq + 1 });
      const next = after.services[SAMPLE.service];
      const where = `${column} + ${type}`;
      assert.equal(after.seq, before.seq + 1, `${where}: seq advances even when ignored`);
      if (expected === '-') {
        assert.equal(after.counters.ignored, before.counters.ignored + 1, `${where}: counted as ignored`);
        assert.equal(after.counters.ignoredByType[type], 1, `${where}: counted by type`);
        assert.equal(after.counters.applied, before.counters.applied, `${where}: not applied`);
        assert.equal(next, prev, `${where}: the service is untouched`);
        continue;
      }
      assert.equal(after.counters.applied, before.counters.applied + 1, `${where}: applied`);
      assert.equal(after.counters.ignored, before.counters.ignored, `${where}: not ignored`);
      if (expected === 'none') assert.equal(next, undefined, `${where}: no such service`);
      else assert.equal(next?.state, expected === '=' ? column : expected, where);
    }
  });
}

test('docs/events.md prints the same table', () => {
  const doc = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
  const start = doc.indexOf('<!-- transition-table:start -->');
  const end = doc.indexOf('<!-- transition-table:end -->');
  assert.ok(start >= 0 && end > start, 'docs/events.md has the transition-table markers');
  const rows = doc
    .slice(start, end)
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim().replace(/`/g, '')));
  const header = doc
    .slice(start, end)
    .split('\n')
    .find((l) => l.startsWith('| event'));
  assert.deepEqual(header?.split('|').slice(2, -1).map((c) => c.trim()), [...COLUMNS]);
  const fromDoc = Object.fromEntries(rows.map(([type, ...cells]) => [`orchestrator.${type}`, cells]));
  assert.deepEqual(fromDoc, Object.fromEntries(Object.entries(TABLE).map(([k, v]) => [k, [...v]])));
});
