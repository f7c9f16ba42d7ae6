import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_LEASE_TIMINGS,
  estimateServerNow,
  fenceDeadline,
  judgeLease,
  judgeLeases,
  leaseTimingsProblem,
  mustFence,
  observeServerTime,
  recordLease,
} from '../../src/cluster/core/index.ts';
import type { LeaseStatus, LeaseTimings, SeenLease, ServerClock } from '../../src/cluster/core/index.ts';

const alive = { state: 'alive' };

test('ages are judged alive, then suspect after two heartbeats, then expired after the ttl', () => {
  const t = DEFAULT_LEASE_TIMINGS;
  const lease: SeenLease = { revision: 1, serverTimeMs: 10_000, value: alive };
  assert.equal(judgeLease(lease, 12_000, t), 'alive');
  assert.equal(judgeLease(lease, 12_001, t), 'suspect');
  assert.equal(judgeLease(lease, 15_000, t), 'suspect');
  assert.equal(judgeLease(lease, 15_001, t), 'expired');
  assert.equal(judgeLease({ ...lease, value: { state: 'left' } }, 99_000, t), 'left');
  assert.equal(judgeLease({ ...lease, value: { state: 'down' } }, 10_000, t), 'down');
  // After an outage of the store (this node's first renewal after it stamped 14 s), nobody is
  // expired for three heartbeats, however old their lease: they get to renew first.
  assert.equal(judgeLease(lease, 16_000, t, 14_000), 'alive');
  assert.equal(judgeLease(lease, 17_000, t, 14_000), 'suspect');
  assert.equal(judgeLease(lease, 17_001, t, 14_000), 'expired');
  // The grace never makes a lease expire sooner than its ttl.
  assert.equal(judgeLease({ ...lease, serverTimeMs: 13_000 }, 17_001, t, 14_000), 'suspect');
});

test('the server clock estimate keeps the observation that bounds the server clock highest', () => {
  let clock: ServerClock | null = null;
  clock = observeServerTime(clock, 1_000_000, 50);
  // Stamped earlier relative to when it arrived: a slower delivery, a weaker bound.
  clock = observeServerTime(clock, 1_000_100, 400);
  assert.deepEqual(clock, { serverMs: 1_000_000, localMs: 50 });
  clock = observeServerTime(clock, 1_000_500, 60);
  assert.equal(estimateServerNow(clock, 100), 1_000_540);
});

test('unsafe timings are refused with the reason', () => {
  assert.equal(leaseTimingsProblem(DEFAULT_LEASE_TIMINGS), null);
  assert.equal(leaseTimingsProblem({ heartbeatMs: 200, ttlMs: 1_000, fenceAfterMs: 600 }), null);
  assert.match(leaseTimingsProblem({ heartbeatMs: 1_000, ttlMs: 5_000, fenceAfterMs: 5_000 }) ?? '', /shorter than the ttl/);
  assert.match(leaseTimingsProblem({ heartbeatMs: 1_000, ttlMs: 5_000, fenceAfterMs: 900 }) ?? '', /longer than the heartbeat/);
  assert.match(leaseTimingsProblem({ heartbeatMs: 3_000, ttlMs: 5_000, fenceAfterMs: 4_000 }) ?? '', /2 heartbeats/);
});

test('an older revision delivered late does not replace a newer one', () => {
  const seen = new Map<string, SeenLease>();
  assert.ok(recordLease(seen, 'a', { revision: 5, serverTimeMs: 500, value: alive }));
  assert.ok(!recordLease(seen, 'a', { revision: 3, serverTimeMs: 300, value: alive }));
  assert.deepEqual(judgeLeases(seen, 600, DEFAULT_LEASE_TIMINGS), [{ node: 'a', status: 'alive', ageMs: 100, revision: 5 }]);
});

// A model of two nodes on one server. Real time is the test's; the server stamps with its own
// offset, each node's monotonic clock has its own offset, requests take up to `reqMs` to be
// stamped and entries up to `delMs` to reach the observer.
interface Stamp {
  node: 'a' | 'b';
  serverMs: number;
  arrival: number;
}

const OFFSET = fc.integer({ min: -1e12, max: 1e12 });

/** Timings the protocol accepts, with delay bounds that leave heartbeat + reqMs + delMs under the ttl. */
const setup = fc
  .integer({ min: 10, max: 2_000 })
  .chain((heartbeatMs) => fc.record({ heartbeatMs: fc.constant(heartbeatMs), ttlMs: fc.integer({ min: 2 * heartbeatMs + 2, max: 10 * heartbeatMs }) }))
  .chain(({ heartbeatMs, ttlMs }) =>
    fc.record({
      timings: fc.record({ heartbeatMs: fc.constant(heartbeatMs), ttlMs: fc.constant(ttlMs), fenceAfterMs: fc.integer({ min: heartbeatMs + 1, max: ttlMs - 1 }) }),
      reqMs: fc.integer({ min: 0, max: ttlMs - heartbeatMs - 1 }),
    }),
  )
  .chain(({ timings, reqMs }) => fc.record({ timings: fc.constant(timings), reqMs: fc.constant(reqMs), delMs: fc.integer({ min: 0, max: timings.ttlMs - timings.heartbeatMs - reqMs - 1 }) }));

/** What observer b concludes about a at real time r from the entries that reached it by then, and from which stamp of a. */
function viewOfA(stamps: Stamp[], r: number, offB: number, timings: LeaseTimings): { status: LeaseStatus; fromMs: number } | null {
  const delivered = stamps.filter((s) => s.arrival <= r).sort((x, y) => x.arrival - y.arrival);
  // The server numbers revisions in the order it stamps them.
  const revision = new Map([...stamps].sort((x, y) => x.serverMs - y.serverMs).map((s, i) => [s, i + 1]));
  let clock: ServerClock | null = null;
  const seen = new Map<string, SeenLease>();
  for (const s of delivered) {
    clock = observeServerTime(clock, s.serverMs, s.arrival + offB);
    recordLease(seen, s.node, { revision: revision.get(s) ?? 0, serverTimeMs: s.serverMs, value: alive });
  }
  const a = seen.get('a');
  if (clock === null || a === undefined) return null;
  return { status: judgeLease(a, estimateServerNow(clock, r + offB), timings), fromMs: a.serverTimeMs };
}

const delays = (n: number, max: number) => fc.array(fc.integer({ min: 0, max }), { minLength: n, maxLength: n });
/** Delays mostly within `usual`, some up to `max`: long ones alone would rarely test the edge. */
const mixedDelays = (n: number, usual: number, max: number) =>
  fc.array(fc.oneof(fc.integer({ min: 0, max: usual }), fc.integer({ min: 0, max })), { minLength: n, maxLength: n });

test('property: whatever the clock offsets, a node that keeps renewing is never judged expired', () => {
  fc.assert(
    fc.property(
      setup.chain(({ timings, reqMs, delMs }) =>
        fc.integer({ min: 2, max: 30 }).chain((n) =>
          fc.record({
            timings: fc.constant(timings),
            n: fc.constant(n),
            offServer: OFFSET,
            offB: OFFSET,
            phaseB: fc.integer({ min: 0, max: timings.heartbeatMs }),
            reqA: delays(n, reqMs),
            delA: delays(n, delMs),
            reqB: delays(n, reqMs),
            delB: delays(n, delMs),
            queries: fc.array(fc.integer({ min: 0, max: n * timings.heartbeatMs }), { maxLength: 20 }),
          }),
        ),
      ),
      ({ timings, n, offServer, offB, phaseB, reqA, delA, reqB, delB, queries }) => {
        const h = timings.heartbeatMs;
        const stamps: Stamp[] = [];
        for (let k = 0; k < n; k++) {
          const a = k * h + reqA[k]!;
          stamps.push({ node: 'a', serverMs: a + offServer, arrival: a + delA[k]! });
          const b = phaseB + k * h + reqB[k]!;
          stamps.push({ node: 'b', serverMs: b + offServer, arrival: b + delB[k]! });
        }
        // A is renewing for as long as its next renewal is not yet due: up to (n - 1) h + h.
        for (const r of [...queries, ...stamps.map((s) => s.arrival)].filter((x) => x <= n * h)) {
          assert.notEqual(viewOfA(stamps, r, offB, timings)?.status, 'expired', `judged expired at ${r}`);
        }
      },
    ),
    { numRuns: 500 },
  );
});

// With delays bounded as above, every judgement counts. With unbounded delays an observer may
// judge an older revision expired while a later one is on its way; declaring the node down is a
// compare-and-set on the revision judged, which the later one makes fail, so there only the
// judgement of the revision the server still holds counts.
for (const bounded of [true, false]) {
  test(`property: a node that stops renewing fences strictly before anyone judges it expired (${bounded ? 'bounded' : 'any'} delays)`, () => {
    fc.assert(
      fc.property(
        setup.chain(({ timings, reqMs, delMs }) =>
          fc.integer({ min: 1, max: 20 }).chain((m) =>
            fc.record({
              timings: fc.constant(timings),
              m: fc.constant(m),
              offServer: OFFSET,
              offA: OFFSET,
              offB: OFFSET,
              req: bounded ? delays(m + 5, reqMs) : mixedDelays(m + 5, reqMs, 10 * timings.ttlMs),
              del: bounded ? delays(m + 5, delMs) : mixedDelays(m + 5, delMs, 10 * timings.ttlMs),
              // Renewals after the last successful one that still land (their answer was lost).
              lateLandings: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
              // Fractions of the time the model runs, which depends on the delays drawn.
              queries: fc.array(fc.integer({ min: 0, max: 1_000 }), { maxLength: 30 }),
            }),
          ),
        ),
        ({ timings, m, offServer, offA, offB, req, del, lateLandings, queries }) => {
          const h = timings.heartbeatMs;
          const stamps: Stamp[] = [];
          for (let k = 0; k < m + 5; k++) {
            const lands = k < m || lateLandings[k - m];
            const stamped = k * h + req[k]!;
            if (lands) stamps.push({ node: 'a', serverMs: stamped + offServer, arrival: stamped + del[k]! });
          }
          // The observer renews until well after a's lease has expired, moving its estimate on.
          const end = Math.max(...stamps.map((s) => s.arrival)) + 2 * timings.ttlMs;
          for (let k = 0; k * h <= end; k++) stamps.push({ node: 'b', serverMs: k * h + offServer, arrival: k * h });
          const lastStampOfA = Math.max(...stamps.filter((s) => s.node === 'a').map((s) => s.serverMs));
          const lastSuccessfulSendLocal = (m - 1) * h + offA;
          for (const r of [...queries.map((q) => Math.round((q / 1_000) * end)), ...stamps.map((s) => s.arrival)]) {
            const view = viewOfA(stamps, r, offB, timings);
            if (view?.status !== 'expired' || (!bounded && view.fromMs !== lastStampOfA)) continue;
            // On A's own clock, its fence deadline is already behind it when b judges it expired.
            assert.ok(fenceDeadline(lastSuccessfulSendLocal, timings) < r + offA, `expired at ${r} before fencing`);
            assert.ok(mustFence(lastSuccessfulSendLocal, r + offA, timings));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
}
