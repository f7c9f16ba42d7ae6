// The dashboard's HTML and Datastar frames, rendered from a recorded story with the shared view
// models: every pane is there, text is escaped, assets are Nestor's own (no CDN), commands and
// the stream carry the token, and the frames speak the beta.11 protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { datastarBundle, mergeFragments, mergeSignals, renderPage } from '../../src/ui/web/index.ts';
import type { NestorEvent, Stored } from '../../src/events/index.ts';
import type { ServiceState } from '../../src/state/index.ts';
import { NODE, NOW, STORY, storyState } from './fixtures/story.ts';

const page = (query = '', readOnly = false): string =>
  renderPage({ state: storyState(), recent: STORY, node: NODE, broker: 'connected', logs: (id) => [`${id} says <hi> & bye`], now: NOW }, { query, linkHost: '127.0.0.1', readOnly });

test('the page has every pane, rendered from the view models', () => {
  const html = page();
  for (const id of ['header', 'services', 'graph', 'feed', 'details', 'detail-none', 'detail-api', 'detail-db', 'detail-cache', 'log-api', 'help', 'toast', 'stream']) {
    assert.match(html, new RegExp(`id="${id}"`), id);
  }
  assert.match(html, /<tr id="row-api" data-service-row="api" data-state="ready"/);
  assert.match(html, /<td data-field="pid">203<\/td>/);
  assert.match(html, /<a href="http:\/\/127\.0\.0\.1:8081\/" target="_blank" rel="noopener">primary:8081<\/a>/);
  assert.match(html, /<span class="badge tone-muted" data-field="state">disabled<\/span>/);
  assert.match(html, /<path class="edge met" d="[^"]+" marker-end="url\(#arrow\)" data-edge="api-db"\/>/);
  assert.match(html, /3 services · 2 ready · 1 disabled/);
  assert.match(html, /<li class="tone-ok" data-seq="14">/);
  assert.match(html, /&quot;selected&quot;:&quot;api&quot;/, 'the first service is selected');
  // Which node runs each service, and the nodes with the same drain/undrain controls as the TUI's.
  assert.match(html, /<th>Health<\/th><th>Node<\/th>/);
  assert.match(html, /<td data-field="node">n1<\/td>/);
  assert.match(html, /<tr id="node-n1" data-node-row="n1" data-state="alive">/);
  assert.match(html, /<td data-field="instances" title="api@1 cache@1 db@1">3<\/td>/);
  assert.match(html, /data-node-action="drain" title="Drain n1 [^"]*" data-on-click__stop="@post\(&#39;\/status\/nodes\/n1\/drain&#39;\)"/);
  assert.match(html, /data-node-action="undrain" [^>]* disabled/);
});

test('text from events and logs is escaped', () => {
  const html = page();
  assert.match(html, /API &lt;demo&gt;/);
  assert.match(html, /api says &lt;hi&gt; &amp; bye/);
  assert.ok(!html.includes('<demo>') && !html.includes('<hi>'));
});

test('assets are served by Nestor itself and every request carries the token', () => {
  const html = page('?token=abc');
  assert.match(html, /<script type="module" src="\/status\/assets\/datastar\.js\?token=abc"><\/script>/);
  assert.ok(!/(src|href)="https?:\/\/(?!127\.0\.0\.1:\d+\/")/.test(html), 'nothing is loaded from another host');
  assert.match(html, /@get\(&#39;\/status\/stream\?token=abc&#39;\)/);
  assert.match(html, /@post\(&#39;\/status\/services\/api\/disable\?token=abc&#39;\)/);
  const bundle = datastarBundle();
  assert.match(bundle, /^\/\/ Datastar v1\.0\.0-beta\.11/);
  assert.equal(bundle, readFileSync(new URL('../../node_modules/@starfederation/datastar/dist/datastar.js', import.meta.url), 'utf8'));
});

test('read-only mode disables the buttons; actions follow the service state', () => {
  const html = page('', true);
  assert.match(html, /<span class="badge tone-warn" data-field="read-only">read-only<\/span>/);
  assert.ok(!page().includes('data-field="read-only"'));
  assert.equal((html.match(/<button [^>]*data-verb="[a-z]+" title="read-only" disabled/g) ?? []).length, 3 * 2 * 4);
  const rw = page();
  assert.match(rw, /<tr id="row-cache"[\s\S]*?data-verb="enable" title="Enable cache \(key e\)" data-on-click__stop/);
  assert.match(rw, /<tr id="row-cache"[\s\S]*?data-verb="disable" title="Disable cache \(key d\)" disabled/);
});

test('frames speak the Datastar beta.11 protocol', () => {
  assert.equal(mergeFragments('<div id="a">\n  x\n</div>'), 'event: datastar-merge-fragments\ndata: fragments <div id="a">\ndata: fragments   x\ndata: fragments </div>\n\n');
  assert.equal(mergeFragments('<p id="t">ok</p>', { mergeMode: 'outer' }), 'event: datastar-merge-fragments\ndata: mergeMode outer\ndata: fragments <p id="t">ok</p>\n\n');
  assert.equal(mergeSignals({ live: true }), 'event: datastar-merge-signals\ndata: signals {"live":true}\n\n');
});

test('log events are marked for the filter; the page has the toggle, key l, and opens on a failed service', () => {
  const log = { ...STORY.at(-1), seq: STORY.length + 1, type: 'orchestrator.service.log', data: { service: 'api', stream: 'stdout', file: 'api.log', lines: 1, bytes: 9, totalBytes: 99, rotated: false } } as Stored<NestorEvent>;
  const state = storyState();
  const failed = { ...state, services: { ...state.services, db: { ...(state.services.db as ServiceState), state: 'failed' as const } } };
  const html = renderPage({ state: failed, recent: [...STORY, log], node: NODE, broker: 'connected', logs: () => [], now: NOW }, { query: '', linkHost: '127.0.0.1', readOnly: false });
  // Hidden by the stylesheet unless the page's `logs` signal is on.
  assert.match(html, /<li class="tone-muted ev-log" data-seq="15">/);
  assert.match(html, /<li class="tone-ok" data-seq="14">/);
  assert.match(html, /<input type="checkbox" id="show-logs" data-bind-logs>/);
  assert.match(html, /data-class-show-logs="\$logs"/);
  assert.match(html, /if \(evt\.key == &#39;l&#39;\) \$logs = !\$logs/);
  assert.match(html, /&quot;logs&quot;:false/);
  assert.match(html, /<kbd>l<\/kbd><\/td><td>show or hide log events in the feeds/);
  assert.match(html, /&quot;selected&quot;:&quot;db&quot;/, 'the failed service is selected, not the first');
  assert.match(html, /<script type="module" src="\/status\/assets\/follow-log\.js"><\/script>/);
  const css = readFileSync(new URL('../../src/ui/web/templates/style.css', import.meta.url), 'utf8');
  assert.match(css, /body:not\(\.show-logs\) ol\.events li\.ev-log \{ display: none; \}/);
  // Long error text wraps inside the events pane instead of overflowing it.
  assert.match(css, /ol\.events li \{[^}]*overflow-wrap: anywhere;/);
});
