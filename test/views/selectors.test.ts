// View models shared by CLI, web and TUI: rows, counts, detail, status JSON, durations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIFECYCLE_STATES, reduceAll } from '../../src/state/index.ts';
import type { State } from '../../src/state/index.ts';
import { formatDuration, selectCounts, selectService, selectServiceRows, selectStatusJson } from '../../src/views/index.ts';
import { sampleEvent, stored } from '../events/samples.ts';

const T0 = Date.parse('2025-03-14T09:26:53.000Z');

// api ready (started at +1s), db in backoff, job completed, old disabled; all on n1.
function stack(): State {
  return reduceAll(
    stored([
      sampleEvent('orchestrator.node.up'),
      sampleEvent('orchestrator.service.register', {}, 0),
      sampleEvent('orchestrator.service.register', { service: 'db', spec: { displayName: '' } }, 0),
      sampleEvent('orchestrator.service.register', { service: 'job', spec: { kind: 'oneshot' } }, 0),
      sampleEvent('orchestrator.service.register', { service: 'old' }, 0),
      sampleEvent('orchestrator.service.start', {}, 1000),
      sampleEvent('orchestrator.service.ready', {}, 1500),
      sampleEvent('orchestrator.service.start', { service: 'db', pid: 5000, ports: { primary: 5432 } }, 1000),
      sampleEvent('orchestrator.service.exit', { service: 'db', pid: 5000 }, 2000),
      sampleEvent('orchestrator.service.restart.scheduled', { service: 'db', attempt: 1, delayMs: 1500 }, 2000),
      sampleEvent('orchestrator.service.start', { service: 'job', pid: 6000, ports: {} }, 1000),
      sampleEvent('orchestrator.service.exit', { service: 'job', pid: 6000, code: 0 }, 3000),
      sampleEvent('orchestrator.service.disabled', { service: 'old' }, 100),
    ]),
  );
}

test('rows are sorted by id and carry what a table shows', () => {
  const rows = selectServiceRows(stack(), new Date(T0 + 3_726_000));
  assert.deepEqual(
    rows.map((r) => [r.id, r.state, r.tone, r.enabled]),
    [
      ['api', 'ready', 'ok', true],
      ['db', 'backoff', 'warn', true],
      ['job', 'completed', 'ok', true],
      ['old', 'disabled', 'muted', false],
    ],
  );
  const [api, db, job] = rows;
  assert.equal(api?.displayName, 'API server');
  assert.deepEqual(api?.ports, ['primary:8080', 'metrics:9090']);
  assert.equal(api?.pid, 4242);
  assert.equal(api?.uptimeMs, 3_725_000);
  assert.equal(api?.uptime, '1h 02m');
  assert.deepEqual(api?.health, { readiness: 'passing', liveness: 'unknown' });
  assert.equal(api?.node, 'n1');
  assert.equal(db?.displayName, 'db', 'an empty displayName falls back to the id');
  assert.equal(db?.uptime, '-', 'no process, no uptime');
  assert.equal(db?.uptimeMs, null);
  assert.equal(db?.restarts, 0, 'scheduled, not yet restarted');
  assert.equal(job?.pid, null);
});

test('a pending row lists what it waits for', () => {
  const state = reduceAll(stored([sampleEvent('orchestrator.service.register'), sampleEvent('orchestrator.service.pending')]));
  const [row] = selectServiceRows(state, new Date(T0));
  assert.deepEqual(row?.waitingFor, ['db']);
  assert.equal(row?.tone, 'warn');
});

test('counts by state; ok is ready + completed', () => {
  const counts = selectCounts(stack());
  assert.equal(counts.total, 4);
  assert.equal(counts.ok, 2);
  assert.equal(counts.notOk, 2);
  assert.deepEqual(Object.keys(counts.byState), [...LIFECYCLE_STATES]);
  assert.equal(counts.byState.backoff, 1);
  assert.equal(counts.byState.disabled, 1);
  assert.equal(counts.byState.failed, 0);
});

test('detail of one service, with uptime only when a clock is given', () => {
  const state = stack();
  const db = selectService(state, 'db');
  assert.equal(db?.state, 'backoff');
  assert.equal(db?.nextRestartAt, '2025-03-14T09:26:56.500Z', 'timestamp + delayMs');
  assert.deepEqual(db?.lastExit, { code: 1, signal: null, at: '2025-03-14T09:26:55.000Z' });
  assert.equal(db?.tone, 'warn');
  const api = selectService(state, 'api', new Date(T0 + 61_000));
  assert.equal(api?.uptime, '1m 00s');
  assert.deepEqual(api?.dependencies, [
    { id: 'db', condition: 'ready' },
    { id: 'migrate', condition: 'completed' },
  ]);
  assert.deepEqual(api?.portList, ['primary:8080', 'metrics:9090']);
  assert.equal(selectService(state, 'api')?.uptimeMs, null);
  assert.equal(selectService(state, 'nope'), null);
  assert.equal(selectService(state, 'constructor'), null, 'no prototype lookups');
});

test('status JSON has the documented shape, sorted by id, and is plain JSON', () => {
  const state = stack();
  const status = selectStatusJson(state);
  assert.equal(status.seq, state.seq);
  assert.deepEqual(
    status.services.map((s) => s.id),
    ['api', 'db', 'job', 'old'],
  );
  for (const s of status.services) {
    for (const key of ['id', 'state', 'enabled', 'pid', 'ports', 'restarts', 'node']) assert.ok(key in s, key);
  }
  assert.deepEqual(status.services[0]?.ports, { primary: 8080, metrics: 9090 });
  assert.deepEqual(JSON.parse(JSON.stringify(status)), status);
});

test('formatDuration', () => {
  const cases: [number, string][] = [
    [-5, '0s'],
    [0, '0s'],
    [NaN, '0s'],
    [850, '850ms'],
    [1000, '1s'],
    [59_999, '59s'],
    [60_000, '1m 00s'],
    [192_000, '3m 12s'],
    [3_600_000, '1h 00m'],
    [7_500_000, '2h 05m'],
    [86_399_999, '23h 59m'],
    [86_400_000 * 4 + 3_600_000 * 7, '4d 07h'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
});
