// Lease judgement: which nodes are alive, suspect or expired, and when a node must fence itself.
//
// Every lease write is stamped by the server that stores it (the KV entry's `created`), and
// only those stamps are compared with each other. A node's wall clock never meets a remote
// stamp, so skew between node clocks cannot make anyone look dead. Elapsed time on a node is
// measured on its monotonic clock, which only ever gives durations.
//
// Server clock estimate. An entry stamped T and observed locally at monotonic time o was stored
// before it was observed, so at any later local time n the server's clock reads at least
// T + (n - o). Every entry (this node's own renewals included) gives such a lower bound; the
// estimate is the largest of them:
//
//     serverNow(n) = max over observed entries of (T_i - o_i) + n   <=   the server's real now
//
// An underestimate can only make a lease look younger than it is, never older.
//
// Judgement. The age of a lease is serverNow - T, where T stamps its latest revision seen:
//     age <= suspectAfterMissed * heartbeat   alive
//     age <= ttl                              suspect
//     age >  ttl                              expired
// A lease written 'left' or 'down' is that, whatever its age. After an outage of the store
// (this node's renewals failed, so nobody's could land), nobody is judged expired until the
// recovery grace (three heartbeats, at most the ttl) has passed since `graceFromMs`, the stamp of
// this node's first renewal after it: a live node that could not renew while the store was down
// renews at its next heartbeat once it is back, and is seen doing so, instead of being declared
// down at once. The grace is about needless rejoins, not about safety: a node that could not
// renew fenced itself before its own stamp + ttl, whatever the grace (see Fencing below). It is
// short because a node that really died with the store's leader (the server it ran beside) is
// declared down only once it has passed.
//
// Why a renewing node is never judged expired. Say node A renews every heartbeat h, a request
// reaches the server within R, and an entry reaches an observer within D. Consecutive stamps of
// A are at most h + R apart. At real time r the observer has seen every stamp older than
// r - D, so the latest stamp it has seen is later than r - D - h - R, and since its estimate is
// at most r, the age it computes is below h + R + D. With h + R + D < ttl (with the defaults:
// 1 s + R + D < 5 s) A is never judged expired, whatever the offsets between the clocks.
//
// Fencing. A node notes on its monotonic clock when it *sent* each renewal that succeeded. The
// server stamped that renewal after the send, at T >= send. A survivor judges the lease expired
// only when its estimate, and so the server's real clock, is past T + ttl >= send + ttl. The
// node fences (stops its movable work) once fenceAfter has passed since the send, at
// send + fenceAfter < send + ttl: strictly before anyone can judge it expired. The margin
// ttl - fenceAfter (2 s by default) covers the node's timer firing late. Clock rates are taken
// as equal; a drift of d (fraction) eats d * ttl of that margin.
import { ID_PATTERN } from '../../events/index.ts';

/** The three durations of the lease protocol, in ms. */
export interface LeaseTimings {
  /** How often a node renews its lease. */
  heartbeatMs: number;
  /** Age (server time) after which a lease is expired and its node may be declared down. */
  ttlMs: number;
  /** Time after the send of the last successful renewal at which a node stops its movable work. */
  fenceAfterMs: number;
}

/** The defaults: renew every second, fence after 3 s without a renewal, expire after 5 s. */
export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { heartbeatMs: 1_000, ttlMs: 5_000, fenceAfterMs: 3_000 };

/** Missed heartbeats after which a lease is suspect. */
export const SUSPECT_AFTER_MISSED = 2;

/** Why a set of timings breaks the protocol's guarantees, or null when it keeps them. */
export function leaseTimingsProblem(t: LeaseTimings): string | null {
  if (!(t.heartbeatMs > 0)) return `heartbeat must be positive (got ${t.heartbeatMs} ms)`;
  // A node must get a renewal through between two fence checks, or a healthy node fences.
  if (!(t.fenceAfterMs > t.heartbeatMs)) return `fenceAfter (${t.fenceAfterMs} ms) must be longer than the heartbeat (${t.heartbeatMs} ms)`;
  if (!(t.fenceAfterMs < t.ttlMs)) return `fenceAfter (${t.fenceAfterMs} ms) must be shorter than the ttl (${t.ttlMs} ms)`;
  if (!(t.ttlMs > SUSPECT_AFTER_MISSED * t.heartbeatMs)) return `ttl (${t.ttlMs} ms) must be longer than ${SUSPECT_AFTER_MISSED} heartbeats`;
  return null;
}

/** The best lower bound of the server's clock seen so far: a stamp and when it was observed. */
export interface ServerClock {
  readonly serverMs: number;
  /** Local monotonic time of the observation. */
  readonly localMs: number;
}

/** The clock after observing an entry stamped `serverMs` at local monotonic time `localMs`. */
export function observeServerTime(clock: ServerClock | null, serverMs: number, localMs: number): ServerClock {
  if (clock !== null && clock.serverMs - clock.localMs >= serverMs - localMs) return clock;
  return { serverMs, localMs };
}

/** Estimated server time at local monotonic time `localNowMs` (never later than the real one). */
export function estimateServerNow(clock: ServerClock, localNowMs: number): number {
  return clock.serverMs + (localNowMs - clock.localMs);
}

/** What a lease value says of its node. */
export type LeaseState = 'alive' | 'left' | 'down';

/** The `state` field of a lease value; anything unreadable counts as alive (the safe side). */
export function leaseStateOf(value: unknown): LeaseState {
  const state = typeof value === 'object' && value !== null ? (value as { state?: unknown }).state : undefined;
  return state === 'left' || state === 'down' ? state : 'alive';
}

/** Whether a lease bucket key names a node (a node id never holds a dot; other keys are ignored). */
export function isNodeKey(key: string): boolean {
  return ID_PATTERN.test(key);
}

/** The latest revision seen of one node's lease. */
export interface SeenLease {
  revision: number;
  serverTimeMs: number;
  value: unknown;
}

/** Records `lease` for `node` unless a later revision is already known; returns whether it did. */
export function recordLease(seen: Map<string, SeenLease>, node: string, lease: SeenLease): boolean {
  const known = seen.get(node);
  if (known !== undefined && known.revision >= lease.revision) return false;
  seen.set(node, lease);
  return true;
}

/** The judgement of one lease. */
export type LeaseStatus = 'alive' | 'suspect' | 'expired' | 'left' | 'down';

/** One node's lease as judged: its status and how old (server time) its latest revision is. */
export interface LeaseVerdict {
  node: string;
  status: LeaseStatus;
  ageMs: number;
  revision: number;
}

/** How long after its recovery from an outage of the store a node judges nobody expired. */
export function recoveryGraceMs(timings: LeaseTimings): number {
  return Math.min(timings.ttlMs, (SUSPECT_AFTER_MISSED + 1) * timings.heartbeatMs);
}

/** Judges one lease at estimated server time `serverNowMs`; `graceFromMs` stamps the judging node's recovery from an outage. */
export function judgeLease(lease: SeenLease, serverNowMs: number, timings: LeaseTimings, graceFromMs = -Infinity): LeaseStatus {
  const state = leaseStateOf(lease.value);
  if (state !== 'alive') return state;
  const age = serverNowMs - lease.serverTimeMs;
  const sinceRecovery = serverNowMs - graceFromMs;
  if (age > timings.ttlMs && sinceRecovery > recoveryGraceMs(timings)) return 'expired';
  if (Math.min(age, sinceRecovery) > SUSPECT_AFTER_MISSED * timings.heartbeatMs) return 'suspect';
  return 'alive';
}

/** Judges every node lease seen, in node order. */
export function judgeLeases(
  seen: ReadonlyMap<string, SeenLease>,
  serverNowMs: number,
  timings: LeaseTimings,
  graceFromMs = -Infinity,
): LeaseVerdict[] {
  return [...seen.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([node, lease]) => ({
      node,
      status: judgeLease(lease, serverNowMs, timings, graceFromMs),
      ageMs: serverNowMs - lease.serverTimeMs,
      revision: lease.revision,
    }));
}

/** Local monotonic time at which a node whose last successful renewal was sent at `sentMs` must fence. */
export function fenceDeadline(sentMs: number, timings: LeaseTimings): number {
  return sentMs + timings.fenceAfterMs;
}

/** Whether a node must have stopped its movable work at local monotonic time `nowMs`. */
export function mustFence(sentMs: number, nowMs: number, timings: LeaseTimings): boolean {
  return nowMs >= fenceDeadline(sentMs, timings);
}
