// The dashboard's runs page as rendered from RunSummary fixtures: the table with health-coloured
// badges, the selected run's detail with its chart, the command buttons by state and read-only
// mode, and the token carried by every URL the page asks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Run } from '../../src/runs/core/index.ts';
import { emptyRunTable, runTableOf } from '../../src/state/index.ts';
import { renderRunsPage } from '../../src/ui/web/runs-page.ts';
import type { RunsPageInput } from '../../src/ui/web/runs-page.ts';
import { NOW, runFixture } from '../views/run-fixtures.ts';

const rc = { query: '', linkHost: '127.0.0.1', readOnly: false };

function input(over: Partial<RunsPageInput> = {}): RunsPageInput {
  const runs = runTableOf([
    runFixture(),
    runFixture({ id: 'r-2', state: 'paused', health: 'stale', createdAt: '2026-01-01T09:00:00.000Z' }),
    runFixture({ id: 'r-3', state: 'failed', error: 'out of memory', finishedAt: '2026-01-01T10:00:20.000Z' }),
  ]);
  return { node: 'n1', runs, full: null, selected: 'r-1', metric: undefined, now: NOW, ...over };
}

test('the runs table colours health and marks the selected run', () => {
  const html = renderRunsPage(input(), rc);
  assert.match(html, /<tr id="run-r-1" data-run-row="r-1" data-state="running" data-health="healthy" class="selected">/);
  assert.match(html, /id="run-r-2"[^>]*>.*<span class="badge tone-error" data-field="health">stale<\/span>/);
  // A finished run's health no longer matters: muted.
  assert.match(html, /id="run-r-3"[^>]*>.*<span class="badge tone-muted" data-field="health">healthy<\/span>/);
  assert.match(html, /<td data-field="heartbeat">3s ago<\/td>/);
  assert.match(html, /loss 0\.4 <span class="spark">█▅▂▁<\/span>/);
  assert.match(html, /data-on-interval__duration\.2s="@get\(&#39;\/status\/runs\/fragments\?run=r-1&#39;\)"/);
});

test('the detail shows params, binding, metrics and a chart; buttons follow the state', () => {
  const html = renderRunsPage(input(), rc);
  assert.match(html, /<dd data-field="binding">trainer on n1 pid 4242 \(process control\)<\/dd>/);
  assert.match(html, /<dd data-field="lr">0\.01<\/dd>/);
  assert.match(html, /<div class="run-chart" data-metric="loss">/);
  assert.match(html, /<polyline points="14\.0,14\.0 124\.7,42\.8 235\.3,71\.6 346\.0,86\.0"\/>/);
  assert.match(html, /<a href="\/status\/runs\?run=r-1&amp;metric=acc">acc<\/a>/);
  assert.match(html, /<button type="button" data-run-action="pause" title="Pause r-1 \(TUI runs view: p\)" data-on-click__stop="@post\(&#39;\/status\/runs\/r-1\/pause&#39;\)">/);
  assert.match(html, /data-run-action="resume"[^>]* disabled/);
  assert.match(html, /<input data-bind-tune/);
  assert.match(html, /registry did not answer/);
  const paused = renderRunsPage(input({ selected: 'r-2', metric: 'acc' }), rc);
  assert.match(paused, /data-run-action="pause"[^>]* disabled/);
  assert.doesNotMatch(paused, /data-run-action="resume"[^>]* disabled/);
  assert.match(paused, /<div class="run-chart" data-metric="acc">/);
});

test('with the full run the detail lists its transitions and commands', () => {
  const { pendingCommands: _p, history: _h, ...record } = runFixture();
  const full: Run = {
    ...record,
    transitions: [{ at: '2026-01-01T10:00:10.000Z', kind: 'state', from: 'queued', to: 'running', reason: 'first heartbeat' }],
    commands: [{ id: 'c-1', type: 'pause', params: {}, createdAt: '2026-01-01T10:00:20.000Z', deliveredAt: null, acknowledgedAt: null, requestedBy: 'dashboard' }],
  };
  const html = renderRunsPage(input({ full }), rc);
  assert.match(html, /<li>10:00:10 state queued → running \(first heartbeat\)<\/li>/);
  assert.match(html, /<li>10:00:20 pause by dashboard · sent, not delivered · c-1<\/li>/);
});

test('read-only: every command button disabled, no tune field; the token is on every URL', () => {
  const html = renderRunsPage(input(), { query: '?token=s3cret', linkHost: 'h', readOnly: true });
  assert.match(html, /data-field="read-only"/);
  assert.doesNotMatch(html, /data-run-action="(pause|resume|terminate)"[^>]*title="(?!read-only)/);
  assert.doesNotMatch(html, /data-bind-tune/);
  assert.match(html, /href="\/status\/runs\?token=s3cret&amp;run=r-2"/);
  assert.match(html, /fragments\?token=s3cret&amp;run=r-1/);
  assert.match(html, /\/status\/assets\/datastar\.js\?token=s3cret/);
});

test('no runs: the page says so', () => {
  const html = renderRunsPage(input({ runs: emptyRunTable(), selected: null }), rc);
  assert.match(html, /No runs yet\./);
  assert.match(html, /Select a run\./);
});
