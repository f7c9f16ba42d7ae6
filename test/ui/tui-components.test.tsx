// The terminal UI with ink-testing-library: the screen drawn from a recorded story (the same
// view models as the dashboard), and the live TUI against a real demo stack, where the disable
// key sends the command and the screen follows the events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import { ApiClient } from '../../src/api/index.ts';
import { App, LiveTui } from '../../src/ui/tui/index.ts';
import type { TuiView } from '../../src/ui/tui/index.ts';
import { demoStack, isAlive, until } from '../api/helpers.ts';
import type { NestorEvent, Stored } from '../../src/events/index.ts';
import { selectNodes } from '../../src/views/index.ts';
import { STORY, storyState, storyView } from './fixtures/story.ts';

function view(over: Partial<TuiView> = {}): TuiView {
  return storyView({ logs: ['api listening', 'GET /health 200'], columns: 160, ...over });
}

/** The frame without colours. */
function text(frame: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  return (frame ?? '').replace(/\u001b\[[0-9;]*m/g, '');
}

test('the screen has the header, services, dependencies, events, detail and key bar', () => {
  const { lastFrame, unmount } = render(<App view={view()} />);
  const f = text(lastFrame());
  unmount();
  assert.match(f, /Nestor\s+node n1 up\s+broker connected\s+● live\s+3 services · 2 ready · 1 disabled\s+nats:\/\/127\.0\.0\.1:4222\s+seq 14/);
  assert.match(f, /› api\s+ready\s+203\s+primary:8081\s+1\s+24s\s+healthy/);
  assert.match(f, / {2}cache\s+disabled\s+-/);
  assert.match(f, / {2}db\s+ready\s+201\s+primary:5432\s+0\s+28s\s+healthy/);
  assert.match(f, /● api\s+ready\s+→ db \(ready ✓\)/);
  assert.match(f, /09:00:07 #14 service\.ready api pid 203 after 1s \(http\)/);
  assert.match(f, /API ready/);
  assert.match(f, /Last exit\s+code 1 at 2025-03-14T09:00:05\.000Z/);
  assert.match(f, /api listening/);
  assert.match(f, /\[e\] Enable\s+\[d\] Disable\s+\[r\] Restart/);
  assert.match(f, /e enable\s+d disable\s+r restart\s+x forget\s+j\/k select\s+l logs\s+a all logs\s+n nodes\s+R runs\s+\? help\s+q quit/);
  // The NODE column: which node runs each service.
  assert.match(f, /SERVICE\s+STATE\s+PID\s+PORTS\s+RESTARTS\s+UPTIME\s+HEALTH\s+NODE/);
  assert.match(f, /› api\s+ready\s+203\s+primary:8081\s+1\s+24s\s+healthy\s+n1/);
});

test('the nodes pane (n) lists each node with state, instance count and tags, and fits 80x24', () => {
  const nodes = { rows: selectNodes(storyState(), null), selected: 'n1' };
  const { lastFrame, unmount } = render(<App view={view({ nodes, columns: 80, rows: 24 })} />);
  const f = text(lastFrame());
  unmount();
  const lines = f.split('\n');
  assert.ok(lines.length <= 23, `${lines.length} lines`);
  assert.ok(lines.every((l) => [...l].length <= 80));
  assert.match(f, /Nodes \(n closes/);
  assert.match(f, /› n1\s+alive\s+3\s+-/);
  assert.match(f, /d drain\s+u undrain\s+j\/k select\s+l logs\s+a all logs\s+n services/);
  assert.match(f, /› api\s+ready\s+203/, 'the services table stays');
});

test('log events stay out of the feeds until l; at 80x24 the screen fits', () => {
  const log = { ...STORY.at(-1), seq: STORY.length + 1, type: 'orchestrator.service.log', data: { service: 'api', stream: 'stdout', file: 'api.log', lines: 1, bytes: 9, totalBytes: 99, rotated: false } } as Stored<NestorEvent>;
  const recent = [...STORY, log];
  const { lastFrame, rerender, unmount } = render(<App view={view({ recent })} />);
  let f = text(lastFrame());
  assert.doesNotMatch(f, /service\.log api stdout \+1 lines/);
  assert.match(f, /Events \(log events hidden, l shows\)/);
  rerender(<App view={view({ recent, showLogs: true })} />);
  f = text(lastFrame());
  assert.match(f, /#15 service\.log api stdout \+1 lines/);
  assert.match(f, /l hide logs/);
  rerender(<App view={view({ recent, columns: 80, rows: 24, help: true })} />);
  f = text(lastFrame());
  unmount();
  const lines = f.split('\n');
  assert.ok(lines.length <= 23, `${lines.length} lines`);
  assert.ok(lines.every((l) => [...l].length <= 80));
  assert.match(lines[1] ?? '', /Nestor\s+node n1 up/);
  assert.match(f, /› api\s+ready\s+203\s+.*healthy/);
  assert.match(f, /Keys/);
});

test('help, toasts, the reconnecting link and a narrow terminal', () => {
  const { lastFrame, rerender, unmount } = render(<App view={view({ help: true, toast: { ok: false, text: 'api is not running' }, link: 'reconnecting', columns: 90, selected: null })} />);
  let f = text(lastFrame());
  assert.match(f, /Keys/);
  assert.match(f, /↑\/↓ j\/k\s+select a service/);
  assert.match(f, /d\s+disable the selected service/);
  assert.match(f, /api is not running/);
  assert.match(f, /○ reconnecting…/);
  assert.match(f, /Select a service with j \/ k\./);
  rerender(<App view={view({ state: { ...storyState(), services: {} }, recent: [] })} />);
  f = text(lastFrame());
  unmount();
  assert.match(f, /No services registered yet\./);
  assert.match(f, /No events yet\./);
});

test('the live TUI shows the demo stack and follows it; its keys send the commands', async (t) => {
  const h = await demoStack('tui-live');
  t.after(() => h.close());
  const client = new ApiClient({ url: h.node.api.url, component: 'tui' });
  const app = render(<LiveTui client={client} healthEveryMs={200} />);
  t.after(() => app.unmount());
  const frame = (): string => text(app.lastFrame());
  await until('both services ready on screen', () => /› alpha\s+ready/.test(frame()) && /beta\s+ready/.test(frame()));
  await until('alpha log tail in the detail', () => /alpha listening on http:\/\//.test(frame()));
  const pid = h.service('alpha').pid as number;
  let since = h.lastSeq();

  app.stdin.write('d');
  const cmd = await h.waitForEvent('orchestrator.command.disable', (e) => e.data.service === 'alpha', { since });
  assert.equal(cmd.data.requestedBy.component, 'tui');
  await h.waitForState('alpha', 'disabled');
  await until('alpha disabled on screen', () => /› alpha\s+disabled/.test(frame()) && /alpha disabled/.test(frame()));
  assert.equal(await isAlive(pid), false);

  app.stdin.write('j');
  await until('beta selected', () => /› beta/.test(frame()));
  app.stdin.write('k');
  await until('alpha selected again', () => /› alpha/.test(frame()));
  app.stdin.write('e');
  await h.waitForEvent('orchestrator.command.enable', (e) => e.data.service === 'alpha', { since: cmd.seq });
  const back = await h.waitForState('alpha', 'ready', { timeoutMs: 15_000 });
  await until('alpha ready again on screen', () => new RegExp(`› alpha\\s+ready\\s+${back.pid}`).test(frame()));

  // A killed process: its restart shows live.
  since = h.lastSeq();
  process.kill(back.pid as number, 'SIGKILL');
  const restarted = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'alpha' && e.data.attempt > 0, { since, timeoutMs: 15_000 });
  await until('the restart on screen', () => new RegExp(`› alpha\\s+\\w+\\s+${restarted.data.pid}\\s+\\S+\\s+1\\s`).test(frame()));

  // A forced disconnect of its event stream: it reconnects and keeps following.
  h.node.api.dropStreams();
  since = h.lastSeq();
  app.stdin.write('j');
  await until('beta selected', () => /› beta/.test(frame()));
  app.stdin.write('r');
  await h.waitForEvent('orchestrator.command.restart', (e) => e.data.service === 'beta' && e.data.requestedBy.component === 'tui', { since });
  const beta = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'beta', { since, timeoutMs: 15_000 });
  await until('beta restarted on screen', () => new RegExp(`› beta\\s+\\w+\\s+${beta.data.pid}`).test(frame()));
  assert.match(frame(), /● live/);

  app.stdin.write('?');
  await until('the help', () => /Keys/.test(frame()) && /show or hide help/.test(frame()));
});

test('the live TUI with a token and a read-only API refuses commands on screen', async (t) => {
  const h = await demoStack('tui-read-only', { api: { token: 'tui-secret', readOnly: true } });
  t.after(() => h.close());
  const app = render(<LiveTui client={new ApiClient({ url: h.node.api.url, token: 'tui-secret', component: 'tui' })} healthEveryMs={200} />);
  t.after(() => app.unmount());
  const frame = (): string => text(app.lastFrame());
  await until('the stack on screen', () => /› alpha\s+ready/.test(frame()));
  await until('read-only on screen', () => /read-only\s+e enable/.test(frame()));
  app.stdin.write('d');
  await until('the refusal on screen', () => /read-only: this API refuses\s+commands/.test(frame()));
  assert.equal(h.events().filter((e) => e.type === 'orchestrator.command.disable').length, 0);
});
