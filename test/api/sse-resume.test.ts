// GET /api/v1/events: ids are JetStream sequences; a client that reconnects with Last-Event-ID
// after a forced disconnect gets exactly the events after it (none missing, none twice), also
// while events keep being published; filters by service and type; keep-alive comments.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, startApiServer } from '../../src/api/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { eventsOf, openSse } from './helpers.ts';

let h: Harness;
let api: string;
before(async () => {
  h = await createHarness({ name: 'api-sse' });
  api = h.node.api.url;
  await h.waitForEvent('orchestrator.node.up');
});
after(() => h.close());

async function publishDisabled(service: string, n: number, tag: string): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < n; i++) seqs.push((await h.publish('orchestrator.service.disabled', { service, reason: `${tag}-${i}` })).seq);
  return seqs;
}

/** Every stored sequence after `after`, as the harness recorded them. */
function storedAfter(after: number, upTo: number): number[] {
  return h.events().filter((e) => e.seq > after && e.seq <= upTo).map((e) => e.seq);
}

test('?since=0 replays the history, then streams live; ids are the stream sequences', async (t) => {
  const first = await publishDisabled('alpha', 3, 'history');
  const sse = await openSse(`${api}/api/v1/events?since=0`);
  t.after(() => sse.close());
  await sse.until('the history', (m) => eventsOf(m).some((e) => e.seq === first.at(-1)));
  const live = await publishDisabled('alpha', 2, 'live');
  await sse.until('the live events', (m) => eventsOf(m).some((e) => e.seq === live.at(-1)));
  assert.deepEqual(eventsOf(sse.messages).map((e) => e.seq), storedAfter(0, live.at(-1) as number));
});

test('Last-Event-ID after a forced server-side disconnect resumes with nothing lost or repeated', async (t) => {
  const start = h.lastSeq();
  const sse = await openSse(`${api}/api/v1/events?since=${start}`);
  t.after(() => sse.close());
  const before = await publishDisabled('beta', 5, 'before');
  await sse.until('the first batch', (m) => eventsOf(m).some((e) => e.seq === before.at(-1)));
  h.node.api.dropStreams();
  await sse.ended;
  const lastId = sse.parser.lastEventId;
  assert.equal(lastId, String(before.at(-1)));

  const missed = await publishDisabled('beta', 7, 'while-away');
  const again = await openSse(`${api}/api/v1/events`, { 'Last-Event-ID': lastId as string });
  t.after(() => again.close());
  const more = await publishDisabled('beta', 3, 'after');
  await again.until('the events after the cursor', (m) => eventsOf(m).some((e) => e.seq === more.at(-1)));
  const got = [...eventsOf(sse.messages), ...eventsOf(again.messages)].map((e) => e.seq);
  assert.deepEqual(got, storedAfter(start, more.at(-1) as number));
  assert.equal(new Set(got).size, got.length, 'no event twice');
  assert.ok(missed.every((s) => got.includes(s)), 'the events published while away arrive');
});

test('a client following across repeated disconnects while events are published sees each exactly once', async () => {
  const start = h.lastSeq();
  const client = new ApiClient({ url: api });
  const abort = new AbortController();
  const seen: number[] = [];
  let reconnects = 0;
  const total = 60;
  const waiters: { n: number; resolve(): void }[] = [];
  const seenAtLeast = (n: number): Promise<void> => new Promise((resolve) => (seen.length >= n ? resolve() : waiters.push({ n, resolve })));
  const reading = (async () => {
    for await (const item of client.follow({ since: start, signal: abort.signal, retryMs: 10 })) {
      if (item.kind === 'link' && item.link === 'reconnecting') reconnects++;
      if (item.kind === 'event' && item.event.type === 'orchestrator.service.disabled') {
        seen.push(item.event.seq);
        for (const w of waiters.filter((x) => seen.length >= x.n)) w.resolve();
        if (seen.length === total) abort.abort();
      }
    }
  })();
  for (let i = 0; i < total; i++) {
    await h.publish('orchestrator.service.disabled', { service: 'gamma', reason: `burst-${i}` });
    // Four times, once the client is reading this batch, cut it off in the middle of the burst.
    if (i % 15 === 7) {
      await seenAtLeast(i - 5);
      h.node.api.dropStreams();
    }
  }
  await reading;
  assert.ok(reconnects >= 3, `reconnected ${reconnects} times`);
  const expected = h.events().filter((e) => e.seq > start && e.type === 'orchestrator.service.disabled').map((e) => e.seq);
  assert.deepEqual(seen, expected);
});

test('a stream opened without a cursor starts live, and its first id lets a reconnect resume', async (t) => {
  const beforeOpen = await publishDisabled('alpha', 1, 'old');
  const sse = await openSse(`${api}/api/v1/events`);
  t.after(() => sse.close());
  await sse.until('the starting id', (_m, p) => p.lastEventId !== null);
  assert.equal(Number(sse.parser.lastEventId), beforeOpen[0]);
  const fresh = await publishDisabled('alpha', 1, 'new');
  await sse.until('the new event', (m) => eventsOf(m).length === 1);
  assert.deepEqual(eventsOf(sse.messages).map((e) => e.seq), fresh);
});

test('filters by service and by type, alone and together; a bad filter is 400', async (t) => {
  const start = h.lastSeq();
  await h.publish('orchestrator.service.disabled', { service: 'alpha', reason: 'f1' });
  await h.publish('orchestrator.service.pending', { service: 'alpha', waitingFor: ['beta'] });
  await h.publish('orchestrator.service.disabled', { service: 'beta', reason: 'f2' });
  const last = (await h.publish('orchestrator.service.pending', { service: 'beta', waitingFor: [] })).seq;
  const cases: [string, [string, string][]][] = [
    ['service=alpha', [['alpha', 'orchestrator.service.disabled'], ['alpha', 'orchestrator.service.pending']]],
    ['type=orchestrator.service.pending', [['alpha', 'orchestrator.service.pending'], ['beta', 'orchestrator.service.pending']]],
    ['service=beta&type=orchestrator.service.disabled', [['beta', 'orchestrator.service.disabled']]],
    ['service=alpha,beta&type=orchestrator.service.disabled,orchestrator.service.pending', [
      ['alpha', 'orchestrator.service.disabled'], ['alpha', 'orchestrator.service.pending'], ['beta', 'orchestrator.service.disabled'], ['beta', 'orchestrator.service.pending'],
    ]],
  ];
  for (const [q, expected] of cases) {
    const sse = await openSse(`${api}/api/v1/events?since=${start}&${q}`);
    t.after(() => sse.close());
    // A marker after the batch, matching every filter, says the history is through.
    const marker = await openSse(`${api}/api/v1/events?since=${last - 1}`);
    await marker.until('the last event', (m) => eventsOf(m).some((e) => e.seq === last));
    marker.close();
    await sse.until(`${q}: ${expected.length} events`, (m) => eventsOf(m).length >= expected.length);
    assert.deepEqual(eventsOf(sse.messages).map((e) => [e.data.service, e.type]), expected, q);
  }
  const bad = await fetch(`${api}/api/v1/events?type=orchestrator.nope`);
  assert.equal(bad.status, 400);
  assert.equal((await fetch(`${api}/api/v1/events`, { headers: { 'Last-Event-ID': 'x' } })).status, 400);
});

test('a cursor beyond the stream (a recreated stream) is announced with event: reset and replays from the start', async (t) => {
  const sse = await openSse(`${api}/api/v1/events?service=alpha`, { 'Last-Event-ID': '999999' });
  t.after(() => sse.close());
  await sse.until('the reset and the history', (m) => m.some((x) => x.event === 'reset') && eventsOf(m).length > 0);
  assert.equal(sse.messages[0]?.event, 'reset');
  assert.equal(eventsOf(sse.messages)[0]?.seq, h.events().find((e) => (e.data as { service?: string }).service === 'alpha')?.seq);
});

test('keep-alive comments flow on an idle stream', async (t) => {
  const server = await startApiServer({ bus: h.bus, node: h.config.node, dataDir: h.dataDir, api: { host: '127.0.0.1', port: 0, readOnly: false }, keepAliveMs: 30 });
  t.after(() => server.close());
  const sse = await openSse(`${server.url}/api/v1/events`);
  t.after(() => sse.close());
  await sse.until('three keep-alives', (_m, p) => p.comments >= 4);
  assert.equal(eventsOf(sse.messages).length, 0);
});
