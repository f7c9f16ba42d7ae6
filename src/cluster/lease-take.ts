// Taking this node's lease at start: the one moment a node writes a lease it does not hold yet.
// It waits while the key's holder might still be alive: a holder that renews is refused (a second
// process with the same node id), one whose lease expires (or that left or was declared down)
// is taken over by compare-and-set. A cluster that has just created the bucket may answer with
// timeouts until its stream has a leader; those are retried for a while, and a write that timed
// out but landed is recognised by this run's incarnation.
import { isRetryable } from '../bus/index.ts';
import type { Leases } from '../bus/index.ts';
import { judgeLease } from './core/index.ts';
import type { LeaseTimings } from './core/index.ts';
import { NodeIdInUseError, readNodeLease } from './lease-value.ts';
import type { NodeLease } from './lease-value.ts';

/** How long a start keeps retrying a bucket that answers with timeouts (a cluster just formed). */
const START_BUDGET_MS = 30_000;

/** What taking a lease needs from its membership. */
export interface TakeLeaseContext {
  leases: Leases;
  node: string;
  /** The lease to write (this run's incarnation). */
  lease: NodeLease;
  timings: LeaseTimings;
  /** Local monotonic clock in ms. */
  now(): number;
  /** Feeds a server timestamp to the membership's server clock. */
  observe(serverMs: number): void;
  /** The estimated server time now. */
  serverNow(): number;
  onError(err: unknown): void;
  stopped(): boolean;
}

/** Takes the node's lease; resolves with its revision and when the write that took it was sent. */
export async function takeLease(ctx: TakeLeaseContext): Promise<{ revision: number; sentAt: number }> {
  const { leases, node, lease } = ctx;
  const deadline = ctx.now() + START_BUDGET_MS;
  let firstRevision: number | null = null;
  // Send time of the earliest write whose outcome is unknown: if one landed, it may be that one.
  let unconfirmedSince: number | null = null;
  for (;;) {
    try {
      const current = await leases.get(node);
      if (current === null) {
        const sentAt = ctx.now();
        unconfirmedSince ??= sentAt;
        const write = await leases.create(node, lease);
        if (write.ok) return { revision: write.revision, sentAt };
        continue;
      }
      ctx.observe(current.serverTime.getTime());
      const holder = readNodeLease(current.value, node);
      if (holder.incarnation === lease.incarnation) return { revision: current.revision, sentAt: unconfirmedSince ?? ctx.now() };
      const seen = { revision: current.revision, serverTimeMs: current.serverTime.getTime(), value: current.value };
      const serverNow = ctx.serverNow();
      const status = judgeLease(seen, serverNow, ctx.timings);
      if (status === 'left' || status === 'down' || status === 'expired') {
        const sentAt = ctx.now();
        unconfirmedSince ??= sentAt;
        const write = await leases.update(node, lease, current.revision);
        if (write.ok) return { revision: write.revision, sentAt };
        continue;
      }
      if (firstRevision !== null && current.revision !== firstRevision) throw new NodeIdInUseError(node, holder, serverNow - seen.serverTimeMs);
      firstRevision ??= current.revision;
    } catch (err) {
      if (!isRetryable(err) || ctx.now() > deadline) throw err;
      ctx.onError(err);
    }
    await new Promise((resolve) => setTimeout(resolve, ctx.timings.heartbeatMs / 2));
    if (ctx.stopped()) throw new Error('membership stopped while starting');
  }
}
