// The runs as every UI shows them (src/views/runs.ts), on RunSummary fixtures: rows with their
// heartbeat age, tones and sparkline, the detail model, the commands on offer and tune pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Run } from '../../src/runs/core/index.ts';
import {
  availableRunActions,
  heartbeatAge,
  initialRunSelection,
  parseTunePairs,
  runHealthTone,
  selectRunDetail,
  selectRunRows,
  sparkline,
} from '../../src/views/index.ts';
import { NOW, runFixture } from './run-fixtures.ts';

test('a run row names the experiment, its step, checkpoint, heartbeat age, pending commands and a sparkline of its first metric', () => {
  const [row] = selectRunRows([runFixture()], NOW);
  assert.deepEqual(
    { ...row },
    {
      id: 'r-1',
      experiment: 'mnist@3',
      state: 'running',
      stateTone: 'ok',
      health: 'healthy',
      healthTone: 'ok',
      step: 40,
      checkpoint: 2,
      heartbeat: '3s ago',
      pending: 1,
      metric: 'loss',
      metricValue: '0.4',
      sparkline: '█▅▂▁',
    },
  );
  const [acc] = selectRunRows([runFixture()], NOW, {}, 'acc');
  assert.equal(acc?.metric, 'acc');
  assert.equal(acc?.sparkline, '▁▃▆█');
  // A metric the run never reported falls back to its first one.
  assert.equal(selectRunRows([runFixture()], NOW, {}, 'nope')[0]?.metric, 'loss');
});

test('a run without heartbeats says never and draws no sparkline', () => {
  const [row] = selectRunRows([runFixture({ state: 'queued', lastHeartbeatAt: null, metrics: {}, history: [], step: 0 })], NOW);
  assert.equal(row?.heartbeat, 'never');
  assert.equal(row?.metric, null);
  assert.equal(row?.sparkline, '');
  assert.equal(row?.stateTone, 'warn');
  assert.equal(heartbeatAge('2026-01-01T09:57:00.000Z', NOW), '3m 30s ago');
  assert.equal(sparkline([1, 1, 1]), '▄▄▄');
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 4), '▁▃▆█');
});

test('health colours escalate and a finished run is muted', () => {
  assert.deepEqual(
    (['healthy', 'late', 'stale', 'lost'] as const).map((h) => runHealthTone(h, 'running')),
    ['ok', 'warn', 'error', 'error'],
  );
  assert.equal(runHealthTone('lost', 'succeeded'), 'muted');
});

test('filters and order: unfinished runs first, newest first; the selection opens on a run that needs a look', () => {
  const runs = [
    runFixture({ id: 'old', createdAt: '2026-01-01T09:00:00.000Z' }),
    runFixture({ id: 'done', state: 'succeeded', createdAt: '2026-01-01T10:00:05.000Z', finishedAt: '2026-01-01T10:00:20.000Z' }),
    runFixture({ id: 'new', createdAt: '2026-01-01T10:00:01.000Z', experiment: 'cifar' }),
    runFixture({ id: 'late', health: 'late', createdAt: '2026-01-01T09:30:00.000Z' }),
  ];
  const rows = selectRunRows(runs, NOW);
  assert.deepEqual(rows.map((r) => r.id), ['new', 'late', 'old', 'done']);
  assert.equal(initialRunSelection(rows), 'late');
  assert.deepEqual(selectRunRows(runs, NOW, { experiment: 'cifar' }).map((r) => r.id), ['new']);
  assert.deepEqual(selectRunRows(runs, NOW, { state: 'succeeded' }).map((r) => r.id), ['done']);
  assert.deepEqual(selectRunRows(runs, NOW, { health: 'late' }).map((r) => r.id), ['late']);
  assert.equal(initialRunSelection([]), null);
});

test('commands on offer follow the state', () => {
  assert.deepEqual(availableRunActions({ state: 'running' }), ['pause', 'terminate', 'tune']);
  assert.deepEqual(availableRunActions({ state: 'paused' }), ['resume', 'terminate', 'tune']);
  assert.deepEqual(availableRunActions({ state: 'queued' }), ['terminate', 'tune']);
  assert.deepEqual(availableRunActions({ state: 'failed' }), []);
});

test('the detail lists params, binding, status and metrics, a chart, and with the full run its transitions and commands', () => {
  const d = selectRunDetail(runFixture(), NOW);
  const fields = Object.fromEntries(d.fields.map((f) => [f.label, f.value]));
  assert.equal(fields.Binding, 'trainer on n1 pid 4242 (process control)');
  assert.equal(fields.Status, 'training');
  assert.equal(fields.Heartbeat, '3s ago (every 5s)');
  assert.deepEqual(d.params, [{ label: 'lr', value: '0.01' }, { label: 'optimizer', value: 'adam' }]);
  assert.deepEqual(d.metrics, [{ label: 'loss', value: '0.4' }, { label: 'acc', value: '0.75' }]);
  assert.deepEqual(d.chart, { metric: 'loss', metrics: ['loss', 'acc'], values: [0.9, 0.7, 0.5, 0.4], steps: [10, 20, 30, 40], min: 0.4, max: 0.9 });
  assert.deepEqual([d.transitions, d.commands], [[], []]);
  const { pendingCommands: _p, history: _h, ...record } = runFixture();
  const full: Run = {
    ...record,
    error: null,
    transitions: [{ at: '2026-01-01T10:00:10.000Z', kind: 'state', from: 'queued', to: 'running', reason: 'first heartbeat' }],
    commands: [
      { id: 'c1', type: 'tune', params: { lr: 0.001 }, createdAt: '2026-01-01T10:00:20.000Z', deliveredAt: '2026-01-01T10:00:21.000Z', acknowledgedAt: null, requestedBy: 'cli' },
    ],
  };
  const fd = selectRunDetail(full, NOW);
  assert.deepEqual(fd.transitions, ['10:00:10 state queued → running (first heartbeat)']);
  assert.deepEqual(fd.commands, ['10:00:20 tune {"lr":0.001} by cli · delivered 10:00:21 · c1']);
  assert.equal(fd.chart, null);
  assert.equal(Object.fromEntries(fd.fields.map((f) => [f.label, f.value])).Pending, '1');
});

test('tune pairs: JSON values when they parse, strings otherwise, and at least one pair', () => {
  assert.deepEqual(parseTunePairs(['lr=0.001', 'name=fast', 'flags=[1,2]', 'on=true', 'empty=']), {
    ok: true,
    params: { lr: 0.001, name: 'fast', flags: [1, 2], on: true, empty: '' },
  });
  assert.deepEqual(parseTunePairs([]), { ok: false, message: 'tune needs at least one key=value pair (such as lr=0.01)' });
  assert.deepEqual(parseTunePairs(['lr']), { ok: false, message: '"lr" is not key=value' });
  assert.deepEqual(parseTunePairs(['=3']), { ok: false, message: '"=3" is not key=value' });
});
