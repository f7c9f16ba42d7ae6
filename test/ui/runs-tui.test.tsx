// The TUI's runs view (key R) drawn from fixtures with ink-testing-library: at 80x24 the list,
// the selected run's detail with its sparkline and the run keys fit; the tune prompt replaces the
// key bar; wide terminals put the detail beside the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import type { Run, RunSummary } from '../../src/runs/core/index.ts';
import { emptyRunTable, runTableOf } from '../../src/state/index.ts';
import type { RunTable } from '../../src/state/index.ts';
import { App } from '../../src/ui/tui/index.ts';
import type { TuiView } from '../../src/ui/tui/index.ts';
import { NOW, runFixture } from '../views/run-fixtures.ts';
import { storyState, storyView } from './fixtures/story.ts';

function runs(): RunTable {
  const out: RunSummary[] = [];
  for (let i = 1; i <= 12; i++) {
    const id = `r-${String(i).padStart(2, '0')}`;
    out.push(runFixture({ id, createdAt: `2026-01-01T09:${String(i).padStart(2, '0')}:00.000Z`, health: i === 3 ? 'late' : 'healthy' }));
  }
  return runTableOf(out);
}

function view(over: Partial<TuiView> = {}, runsView: NonNullable<TuiView['runs']> = { selected: 'r-12', full: null, tune: null }): TuiView {
  return storyView({ state: { ...storyState(), runs: runs() }, now: NOW, columns: 80, rows: 24, runs: runsView, ...over });
}

/** The frame without colours, as lines. */
function lines(frame: string | undefined): string[] {
  // eslint-disable-next-line no-control-regex
  return (frame ?? '').replace(/\u001b\[[0-9;]*m/g, '').split('\n');
}

test('at 80x24 the runs view fits: list, detail with sparkline, run keys', () => {
  const { lastFrame, unmount } = render(<App view={view()} />);
  const shown = lines(lastFrame());
  unmount();
  const f = shown.join('\n');
  assert.ok(shown.length <= 23, `${shown.length} lines:\n${f}`);
  assert.ok(shown.every((l) => [...l].length <= 80), `a line wider than 80:\n${f}`);
  assert.match(f, /Nestor\s+node n1 up/);
  assert.match(f, /Runs \(12 · R closes · j\/k select\)/);
  assert.match(f, /RUN\s+EXPERIMENT\s+STATE\s+HEALTH\s+STEP\s+BEAT\s+METRIC/);
  assert.match(f, /› r-12\s+mnist@3\s+running\s+healthy\s+40\s+3s\s+█▅▂▁ 0\.4/);
  assert.match(f, /r-12 · mnist@3 running healthy/);
  assert.match(f, /step 40 · ckpt 2 · heartbeat 3s ago \(every 5s\) · pending 1/);
  assert.match(f, /loss █▅▂▁ 0\.4…0\.9/);
  assert.match(f, /params\s+lr=0\.01 optimizer=adam/);
  assert.match(f, /p pause\s+r resume\s+t terminate\s+u tune\s+j\/k select\s+R services\s+q quit/);
});

test('the list scrolls to the selected run; the full run adds transitions and commands', () => {
  const { pendingCommands: _p, history: _h, ...record } = runFixture({ id: 'r-01' });
  const full: Run = {
    ...record,
    transitions: [{ at: '2026-01-01T10:00:10.000Z', kind: 'state', from: 'queued', to: 'running', reason: 'first heartbeat' }],
    commands: [{ id: 'c-9', type: 'tune', params: { lr: 0.5 }, createdAt: '2026-01-01T10:00:20.000Z', deliveredAt: null, acknowledgedAt: null, requestedBy: 'tui' }],
  };
  const { lastFrame, unmount } = render(<App view={view({ rows: 40 }, { selected: 'r-01', full, tune: null })} />);
  const f = lines(lastFrame()).join('\n');
  unmount();
  assert.match(f, /› r-01\s+mnist@3/);
  assert.match(f, /· 10:00:10 state queued → running \(first heartbeat\)/);
  assert.match(f, /» 10:00:20 tune \{"lr":0\.5\} by tui · sent, not delivered · c-9/);
});

test('the tune prompt takes the key bar; a toast shows there otherwise', () => {
  const prompt = render(<App view={view({}, { selected: 'r-12', full: null, tune: 'lr=0.5' })} />);
  assert.match(lines(prompt.lastFrame()).join('\n'), /tune r-12: lr=0\.5▏\s+Enter sends · Esc cancels/);
  prompt.unmount();
  const toast = render(<App view={view({ toast: { ok: true, text: 'pause sent to r-12' }, readOnly: true })} />);
  assert.match(lines(toast.lastFrame()).join('\n'), /read-only\s+pause sent to r-12\s+p pause/);
  toast.unmount();
});

test('wide terminals put the detail beside the list; no runs says so', () => {
  const wide = render(<App view={view({ columns: 160, rows: 30 })} />);
  const w = lines(wide.lastFrame());
  wide.unmount();
  assert.ok(w.some((l) => /r-12\s+mnist@3.*status training/.test(l)), w.join('\n'));
  const empty = render(<App view={view({ state: { ...storyState(), runs: emptyRunTable() } }, { selected: null, full: null, tune: null })} />);
  const e = lines(empty.lastFrame()).join('\n');
  empty.unmount();
  assert.match(e, /No runs yet\./);
  assert.match(e, /No run selected\./);
});
