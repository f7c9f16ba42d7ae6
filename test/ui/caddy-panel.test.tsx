// The node's Caddy in the views: the reducer keeps it from its events, the nodes pane of the TUI
// (80x24) and the dashboard's nodes table show its summary and its routes, host → instances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import { makeEvent } from '../../src/events/index.ts';
import type { EventType, NestorEvent, PayloadOf } from '../../src/events/index.ts';
import { reduceAll } from '../../src/state/index.ts';
import { App } from '../../src/ui/tui/index.ts';
import { renderNodes } from '../../src/ui/web/render.ts';
import { selectNodes } from '../../src/views/index.ts';
import { NODE, storyState, storyView } from './fixtures/story.ts';

let n = 0;
function ev<T extends EventType>(type: T, data: PayloadOf<T>): NestorEvent {
  n++;
  return makeEvent(type, data, { id: `caddy-${n}`, timestamp: `2025-03-14T09:01:0${n}.000Z`, origin: { node: NODE, component: 'caddy' } }) as NestorEvent;
}

function withCaddy(): ReturnType<typeof storyState> {
  return reduceAll(
    [
      ev('orchestrator.caddy.started', { node: NODE, pid: 4321, http: 8080, https: 8443, admin: 2999 }),
      ev('orchestrator.caddy.config.applied', {
        node: NODE,
        routes: 1,
        upstreams: 2,
        table: [{ hosts: ['app.localhost'], paths: [], services: ['api'], upstreams: ['127.0.0.1:8081', '127.0.0.1:8082'] }],
      }),
      ev('orchestrator.caddy.cert.stored', {
        node: NODE,
        names: ['pki/authorities/local/root.crt', 'certificates/local/app.localhost/app.localhost.crt', 'certificates/local/app.localhost/app.localhost.key'],
        count: 3,
      }),
    ],
    storyState(),
  );
}

function text(frame: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  return (frame ?? '').replace(/\u001b\[[0-9;]*m/g, '');
}

test("the reducer keeps a node's Caddy: running, ports, routes; a stop keeps the routes but not the process", () => {
  const state = withCaddy();
  const caddy = state.nodes[NODE]?.caddy;
  assert.deepEqual([caddy?.running, caddy?.https, caddy?.routeCount, caddy?.upstreamCount], [true, 8443, 1, 2]);
  assert.deepEqual(caddy?.certificates, ['app.localhost (local)'], 'the certificate its Caddy shared, not the CA or the key');
  const stopped = reduceAll([ev('orchestrator.caddy.stopped', { node: NODE, reason: 'shutdown' })], state);
  assert.equal(stopped.nodes[NODE]?.caddy?.running, false);
  assert.equal(stopped.counters.ignored, state.counters.ignored, 'caddy events are never ignored');
});

test('the TUI nodes pane shows the Caddy summary and the selected node’s routes at 80x24', () => {
  const view = storyView({ state: withCaddy(), columns: 80, rows: 24, nodes: { rows: selectNodes(withCaddy(), null), selected: NODE } });
  const { lastFrame, unmount } = render(<App view={view} />);
  const f = text(lastFrame());
  unmount();
  const lines = f.split('\n');
  assert.ok(lines.length <= 23, `${lines.length} lines`);
  assert.ok(lines.every((l) => [...l].length <= 80));
  assert.match(f, /CADDY/);
  assert.match(f, /› n1\s+alive\s+3\s+:8443 · 1 route → 2/);
  assert.match(f, /app\.localhost → api \(127\.0\.0\.1:8081, 127\.0\.0\.1:8082\)/);
  assert.match(f, /app\.localhost → api \(127\.0\.0\.1:8081, 127\.0\.0\.1:8082\) · cert local/);
});

test("the dashboard's nodes table shows the same summary and routes", () => {
  const html = renderNodes(selectNodes(withCaddy(), null), { query: '', linkHost: '127.0.0.1', readOnly: true });
  assert.match(html, /<th>Caddy<\/th>/);
  assert.match(html, /data-field="caddy">:8443 · 1 route → 2/);
  assert.match(html, /data-field="caddy-route">app\.localhost → api \(127\.0\.0\.1:8081, 127\.0\.0\.1:8082\)/);
  assert.match(html, /data-field="caddy-certificate">certificate app\.localhost \(local\)/);
});
