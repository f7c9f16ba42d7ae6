// The view models both UIs draw (src/views), on a recorded story: header counts,
// health words, detail fields, feed rows, the dependency layout and the actions on offer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_TYPES } from '../../src/events/index.ts';
import { availableActions, describeEvent, detailFields, recentFor, selectFeed, selectGraph, selectHeader, selectHealth, selectService } from '../../src/views/index.ts';
import type { ServiceDetail } from '../../src/views/index.ts';
import { samplePayloads } from '../events/samples.ts';
import { NODE, NOW, STORY, storyState } from '../ui/fixtures/story.ts';

test('the header names the node, the broker and the counts', () => {
  const h = selectHeader(storyState(), NODE);
  assert.deepEqual([h.node, h.nodeStatus, h.broker, h.brokerTone, h.nats, h.seq], [NODE, 'up', 'connected', 'ok', 'nats://127.0.0.1:4222', STORY.length]);
  assert.equal(h.summary, '3 services · 2 ready · 1 disabled');
  assert.equal(selectHeader(storyState(), NODE, 'reconnecting').brokerTone, 'warn');
  assert.equal(selectHeader(storyState(), 'other').nodeStatus, 'unknown');
});

test('health folds both probes into one word', () => {
  assert.deepEqual(selectHealth({ readiness: 'passing', liveness: 'unknown' }), { text: 'healthy', tone: 'ok' });
  assert.deepEqual(selectHealth({ readiness: 'failing', liveness: 'passing' }), { text: 'not ready', tone: 'warn' });
  assert.deepEqual(selectHealth({ readiness: 'passing', liveness: 'failing' }), { text: 'unhealthy', tone: 'error' });
  assert.deepEqual(selectHealth({ readiness: 'unknown', liveness: 'unknown' }), { text: '-', tone: 'muted' });
});

test('detail fields are the same facts in the same order for both UIs', () => {
  const d = selectService(storyState(), 'api', NOW) as ServiceDetail;
  const fields = Object.fromEntries(detailFields(d).map((f) => [f.label, f.value]));
  assert.equal(fields.State, 'ready');
  assert.equal(fields.PID, '203');
  assert.equal(fields.Ports, 'primary:8081');
  assert.equal(fields.Restarts, '1');
  assert.equal(fields.Uptime, '24s');
  assert.equal(fields['Depends on'], 'db (ready)');
  assert.equal(fields['Last exit'], 'code 1 at 2025-03-14T09:00:05.000Z');
});

test('feed rows summarize every event type, newest first, and per service', () => {
  for (const type of EVENT_TYPES) {
    const text = describeEvent({ version: 1, id: 'x', type, timestamp: '2025-03-14T09:00:00.000Z', origin: { node: 'n1', component: 'c' }, data: samplePayloads[type] } as never);
    assert.ok(text.length > 0 && !text.includes('undefined'), `${type}: ${text}`);
  }
  const feed = selectFeed(STORY, 3);
  assert.deepEqual(feed.map((r) => r.seq), [14, 13, 12]);
  assert.deepEqual(feed[0], { seq: 14, time: '09:00:07', type: 'orchestrator.service.ready', short: 'service.ready', subject: 'api', summary: 'pid 203 after 1s (http)', tone: 'ok', log: false });
  assert.equal(feed[2]?.summary, 'attempt 1 in 500ms (exit code 1)');
  const exit = recentFor(STORY, 'api', 10).find((r) => r.type === 'orchestrator.service.exit');
  assert.deepEqual([exit?.summary, exit?.tone], ['pid 202 code 1 after 1s, unexpected', 'error']);
  assert.ok(recentFor(STORY, 'db', 10).every((r) => r.subject === 'db'));
});

test('the dependency layout puts a service right of what it needs', () => {
  const g = selectGraph(storyState());
  assert.deepEqual(g.layers, [['cache', 'db'], ['api']]);
  const at = Object.fromEntries(g.nodes.map((n) => [n.id, n]));
  assert.ok((at.api?.x ?? 0) > (at.db?.x ?? 0));
  assert.deepEqual(g.edges.map((e) => [e.from, e.to, e.condition, e.met]), [['api', 'db', 'ready', true]]);
  assert.equal(at.cache?.tone, 'muted');
  assert.ok(g.width > 0 && g.height > 0);
  assert.deepEqual(selectGraph({ ...storyState(), services: {} }).nodes, []);
});

test('actions on offer: enable a disabled service, disable or restart an enabled one, forget one at rest', () => {
  const s = storyState();
  assert.deepEqual(availableActions(s.services.cache as never), ['enable', 'forget']);
  assert.deepEqual(availableActions({ enabled: true, state: 'failed' }), ['disable', 'restart', 'forget']);
  assert.deepEqual(availableActions(s.services.api as never), ['disable', 'restart']);
  assert.deepEqual(availableActions({ enabled: true, state: 'starting' }), ['disable']);
});
