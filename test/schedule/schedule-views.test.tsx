// The next run of a scheduled job as every view shows it, from recorded events with fixed
// timestamps: status --json, the CLI table and `status ID`, the dashboard's row and detail,
// and the TUI at 80x24 (the UPTIME column of an idle job says when it runs next).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import { makeEvent } from '../../src/events/index.ts';
import type { EventType, NestorEvent, PayloadOf, Stored } from '../../src/events/index.ts';
import { reduceAll } from '../../src/state/index.ts';
import { selectService, selectServiceRows, selectStatusJson } from '../../src/views/index.ts';
import { renderPage } from '../../src/ui/web/index.ts';
import { App } from '../../src/ui/tui/index.ts';
import { renderRows } from '../../src/cli/table.ts';
import { serviceDetailLines } from '../../src/cli/format.ts';

const NODE = 'n1';
const NOW = new Date('2026-03-14T09:02:00.000Z');
const NEXT = '2026-03-14T09:05:00.000Z';
let seq = 0;
function ev<T extends EventType>(second: number, type: T, data: PayloadOf<T>): Stored<NestorEvent> {
  seq++;
  const at = new Date(Date.UTC(2026, 2, 14, 9, 0, second)).toISOString();
  return { ...makeEvent(type, data, { id: `ev${seq}`, timestamp: at, origin: { node: NODE, component: 'controller' } }), seq } as Stored<NestorEvent>;
}

const STORY: Stored<NestorEvent>[] = [
  ev(0, 'orchestrator.node.up', { node: NODE, pid: 100, hostname: 'box', version: '0.1.0', nats: 'nats://127.0.0.1:4222', api: null, dataDir: '/tmp/d' }),
  ev(1, 'orchestrator.service.register', {
    service: 'backup',
    spec: { kind: 'oneshot', process: { command: 'x' }, schedule: { cron: '*/5 * * * *', timezone: 'UTC' } },
    specVersion: 1,
    specHash: 'h1',
    source: 'nestor.yaml',
  }),
  ev(1, 'orchestrator.service.pending', { service: 'backup', waitingFor: [] }),
  ev(1, 'orchestrator.service.stop', { service: 'backup', pid: null, reason: 'waiting for its schedule', signal: 'none', timeoutMs: 0 }),
  ev(1, 'orchestrator.service.schedule.next', { service: 'backup', nextRunAt: NEXT, schedule: 'cron */5 * * * * (UTC)' }),
];
const state = reduceAll(STORY);
const NEXT_TEXT = /next \d\d:\d\d:\d\d \(in 3m 00s\)/;

test('status --json and the CLI table and detail tell the next run and the schedule', () => {
  const entry = selectStatusJson(state).services[0];
  assert.equal(entry?.state, 'stopped');
  assert.equal(entry?.settled, true, 'a job waiting for its time has settled (up --detach returns)');
  assert.equal(entry?.nextRunAt, NEXT);
  assert.equal(entry?.schedule, 'cron */5 * * * * (UTC)');
  const table = renderRows(selectServiceRows(state, NOW));
  assert.match(table[0] ?? '', /NODE\s+NEXT$/);
  assert.match(table[1] ?? '', NEXT_TEXT);
  const detail = selectService(state, 'backup', NOW);
  assert.ok(detail !== null);
  assert.ok(serviceDetailLines(detail, null).some((l) => /^schedule\s+cron \*\/5 \* \* \* \* \(UTC\), next \d\d:\d\d:\d\d \(in 3m 00s\)$/.test(l)));
});

test('the dashboard shows the next run under the state badge and in the detail pane', () => {
  const html = renderPage({ state, recent: STORY, node: NODE, broker: 'connected', logs: () => [], now: NOW }, { query: '', linkHost: '127.0.0.1', readOnly: false });
  assert.match(html, /<span class="waiting" data-field="next-run">next \d\d:\d\d:\d\d \(in 3m 00s\)<\/span>/);
  assert.match(html, /<dt>Schedule<\/dt><dd data-field="schedule">cron \*\/5 \* \* \* \* \(UTC\), next \d\d:\d\d:\d\d \(in 3m 00s\)<\/dd>/);
  assert.match(html, /schedule\.next/);
});

test('the TUI at 80x24 shows "in 3m" in the table and the schedule in the detail', () => {
  const view = { state, recent: STORY, node: NODE, broker: 'connected' as const, link: 'live' as const, selected: 'backup', logs: [], help: false, toast: null, now: NOW, columns: 80, rows: 24 };
  const { lastFrame, unmount } = render(<App view={view} />);
  // eslint-disable-next-line no-control-regex
  const f = (lastFrame() ?? '').replace(/\u001b\[[0-9;]*m/g, '');
  unmount();
  assert.match(f, /› backup\s+stopped\s+.*in 3m/);
  assert.match(f, /Schedule\s+cron \*\/5 \* \* \* \* \(UTC\), next/);
  const lines = f.split('\n');
  assert.ok(lines.length <= 24, `${lines.length} lines`);
  assert.ok(lines.every((l) => l.length <= 80));
});
