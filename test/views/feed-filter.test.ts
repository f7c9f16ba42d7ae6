// The feeds' log filter and the first selection, as both UIs read them from src/views: log
// metadata events stay out of the feeds unless the toggle is on, and the detail pane opens on
// the service that needs a look.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEvent } from '../../src/events/index.ts';
import type { EventType, NestorEvent, PayloadOf, Stored } from '../../src/events/index.ts';
import { reduceAll } from '../../src/state/index.ts';
import type { LifecycleState, State } from '../../src/state/index.ts';
import { DEFAULT_FEED_FILTER, NAVIGATION_KEYS, initialSelection, recentFor, selectFeed, selectFeedEither } from '../../src/views/index.ts';
import { STORY, storyState } from '../ui/fixtures/story.ts';

let seq = STORY.length;
function ev<T extends EventType>(type: T, data: PayloadOf<T>): Stored<NestorEvent> {
  seq++;
  return { ...makeEvent(type, data, { id: `x${seq}`, timestamp: '2025-03-14T09:00:20.000Z', origin: { node: 'n1', component: 'controller' } }), seq } as Stored<NestorEvent>;
}
const log = (service: string): Stored<NestorEvent> => ev('orchestrator.service.log', { service, stream: 'stdout', file: `.data/logs/${service}.log`, lines: 1, bytes: 20, totalBytes: 200, rotated: false });

test('feeds drop service.log events unless the log toggle is on', () => {
  const noisy = [...STORY, ...Array.from({ length: 30 }, () => log('api'))];
  assert.equal(DEFAULT_FEED_FILTER.logs, false);
  const quiet = selectFeed(noisy, 8);
  assert.equal(quiet.length, 8);
  assert.ok(quiet.every((r) => r.type !== 'orchestrator.service.log' && !r.log));
  assert.equal(quiet[0]?.short, 'service.ready', 'the newest lifecycle event leads, not a log line');
  const loud = selectFeed(noisy, 8, { logs: true });
  assert.ok(loud.every((r) => r.type === 'orchestrator.service.log' && r.log));
  assert.match(loud[0]?.summary ?? '', /^stdout \+1 lines/);
  // The detail pane's recent events follow the same toggle.
  assert.ok(recentFor(noisy, 'api', 6).every((r) => !r.log));
  assert.ok(recentFor(noisy, 'api', 6, { logs: true }).every((r) => r.log));
  // The page toggles in the browser: it gets both, newest first, and n of each kind to show.
  const either = selectFeedEither(noisy, 8);
  assert.equal(either.filter((r) => !r.log).length, 8);
  assert.equal(either.filter((r) => r.log).length, 8);
  assert.deepEqual(either.map((r) => r.seq), [...either.map((r) => r.seq)].sort((a, b) => b - a));
  assert.ok(NAVIGATION_KEYS.some((k) => k.key === 'l'), 'the toggle has a key in both UIs');
});

test('the detail opens on the first failed service, else the first not ready, else the first', () => {
  assert.equal(initialSelection(storyState()), 'api', 'all well (cache disabled on purpose): the first');
  // States set directly: the rule reads only the state, however the service got there.
  const base = storyState();
  const as = (over: Record<string, LifecycleState>): State => ({
    ...base,
    services: Object.fromEntries(Object.entries(base.services).map(([id, svc]) => [id, over[id] === undefined ? svc : { ...svc, state: over[id] }])),
  });
  assert.equal(initialSelection(as({ db: 'failed' })), 'db', 'failed wins over the first');
  assert.equal(initialSelection(as({ api: 'backoff', db: 'failed' })), 'db', 'failed wins over not ready');
  assert.equal(initialSelection(as({ db: 'backoff' })), 'db', 'else the first not ready');
  assert.equal(initialSelection(reduceAll([])), null);
});
