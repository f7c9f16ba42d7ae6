// Membership: this node's lease in the cluster's lease bucket, and its view of everyone else's.
//
// In:  a bus, this node's id and descriptive fields, the lease timings, a monotonic clock.
// Out: hooks. onNodeDown for a node this node declared down (exactly one survivor wins the
//      compare-and-set that declares it); onFence when this node has gone fenceAfter without a
//      successful renewal and must stop its movable work, onRecovered when renewals succeed
//      again; onFenced when someone declared this node down, after which it rejoins as a new
//      incarnation (onRejoined); onChange when the judgement of the nodes changes.
// Never: judge a remote stamp against the local wall clock (the judgement is core/lease.ts);
//      declare anyone down while its own renewals fail; take a lease that is alive and renewing.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { BusWriter, LeaseEntry, Leases } from '../bus/index.ts';
import {
  DEFAULT_LEASE_TIMINGS,
  estimateServerNow,
  fenceDeadline,
  isNodeKey,
  judgeLeases,
  leaseTimingsProblem,
  observeServerTime,
  recordLease,
} from './core/index.ts';
import type { LeaseTimings, SeenLease, ServerClock } from './core/index.ts';
import { takeLease } from './lease-take.ts';
import { readNodeLease } from './lease-value.ts';
import type { NodeLease } from './lease-value.ts';

/** What a membership reports; a hook that returns a promise is awaited before it goes on. */
export interface MembershipHooks {
  onNodeDown?(node: string, info: { reason: string; lastSeen: Date }): void | Promise<void>;
  onFence?(reason: string): void | Promise<void>;
  onRecovered?(): void | Promise<void>;
  onFenced?(reason: string): void | Promise<void>;
  onRejoined?(incarnation: string): void | Promise<void>;
  onChange?(nodes: MemberView[]): void;
  /** A write or watch failed in a way the membership rides out; for logs. */
  onError?(err: unknown): void;
}

/** Options of {@link Membership.start}. */
export interface MembershipOptions extends Partial<LeaseTimings> {
  bus: Pick<BusWriter, 'leases'>;
  node: string;
  tags?: string[];
  address: string;
  capacity?: number;
  /** URL of this node's API. */
  api: string;
  /** Local monotonic clock in ms (performance.now by default). */
  monotonic?: () => number;
  hooks?: MembershipHooks;
}

/** Heartbeats without this node's own renewal in the watch before the watch is opened again. */
const WATCH_STALL_HEARTBEATS = 4;

/** One node as this node judges it. */
export interface MemberView {
  id: string;
  state: 'alive' | 'suspect' | 'down' | 'left';
  tags: string[];
  address: string;
  api: string;
  /** Server-time age of its latest renewal seen. */
  lastSeenMs: number;
  /** Whether its lease itself says it is down or left (written by compare-and-set), not only judged so from here. */
  declared: boolean;
  incarnation: string;
}

/** This node's lease and its view of all leases; see the header of this file. */
export class Membership {
  private readonly timings: LeaseTimings;
  private readonly now: () => number;
  private readonly hooks: MembershipHooks;
  private leases!: Leases;
  private lease: NodeLease;
  private revision = 0;
  private ownSeenAt = 0;
  private rewatching = false;
  private readonly seen = new Map<string, SeenLease>();
  private clock: ServerClock | null = null;
  /** Revision of this node's first renewal after a failure, and its stamp once seen. */
  private graceRevision = 0;
  private graceFromMs = -Infinity;
  /**
   * Whether the watch has shown that renewal yet. Until it has, the grace's start is unknown
   * and nobody is judged: with the old start, a node back from an outage (a lease bucket
   * electing a new leader, say) would declare down peers whose leases aged only through the
   * same outage, before they had a chance to renew.
   */
  private graceSeen = true;
  /** The renewal waiting for its answer, if any. */
  private renewal: Promise<void> | null = null;
  private fenceReported = false;
  private failing = false;
  /** Revision of the write by which someone else took this node's lease, once reported. */
  private reportedLoss = 0;
  /** When the rejoin whose outcome is not known yet was sent. */
  private rejoinSentAt: number | null = null;
  private stopped = false;
  private readonly declaring = new Set<string>();
  private lastView = '';
  private tickTimer: NodeJS.Timeout | undefined;
  private fenceTimer: NodeJS.Timeout | undefined;
  private stopWatch: (() => void) | undefined;

  private constructor(private readonly opts: MembershipOptions) {
    this.timings = {
      heartbeatMs: opts.heartbeatMs ?? DEFAULT_LEASE_TIMINGS.heartbeatMs,
      ttlMs: opts.ttlMs ?? DEFAULT_LEASE_TIMINGS.ttlMs,
      fenceAfterMs: opts.fenceAfterMs ?? DEFAULT_LEASE_TIMINGS.fenceAfterMs,
    };
    const problem = leaseTimingsProblem(this.timings);
    if (problem !== null) throw new Error(`lease timings: ${problem}`);
    this.now = opts.monotonic ?? (() => performance.now());
    this.hooks = opts.hooks ?? {};
    this.lease = this.freshLease();
  }

  /** Takes this node's lease (refusing one another process renews) and starts renewing it. */
  static async start(opts: MembershipOptions): Promise<Membership> {
    const m = new Membership(opts);
    try {
      m.leases = await opts.bus.leases();
      m.stopWatch = await m.leases.watch((e) => m.onEntry(e), (err) => m.hooks.onError?.(err));
      m.ownSeenAt = m.now();
      await m.take();
    } catch (err) {
      m.halt();
      throw err;
    }
    m.schedule();
    return m;
  }

  /** This run's incarnation id (a new one after a rejoin). */
  get incarnation(): string {
    return this.lease.incarnation;
  }

  /** Every node with a lease, as judged now. */
  nodes(): MemberView[] {
    if (this.clock === null) return [];
    const serverNow = estimateServerNow(this.clock, this.now());
    return judgeLeases(this.seen, serverNow, this.timings, this.graceFromMs).map((v) => {
      const lease = readNodeLease(this.seen.get(v.node)?.value, v.node);
      const state = v.status === 'expired' ? 'down' : v.status;
      return {
        id: v.node,
        state,
        tags: lease.tags,
        address: lease.address,
        api: lease.api,
        lastSeenMs: v.ageMs,
        incarnation: lease.incarnation,
        declared: lease.state === 'down' || lease.state === 'left',
      };
    });
  }

  /** Writes state 'left' (nobody will declare this node down) and stops. */
  async leave(): Promise<void> {
    if (this.stopped) return;
    this.halt();
    // A renewal in flight moves the revision on; the leave is written after it.
    await this.renewal;
    const write = await this.leases.update(this.opts.node, { ...this.lease, state: 'left' }, this.revision);
    if (!write.ok) throw new Error(`node ${this.opts.node} could not leave: its lease was changed by someone else (${write.reason})`);
  }

  /** Stops; `silent` skips the 'left' write, as a crash would (others then declare it down). */
  async stop(opts: { silent?: boolean } = {}): Promise<void> {
    if (opts.silent === true) this.halt();
    else await this.leave();
  }

  private halt(): void {
    this.stopped = true;
    clearTimeout(this.tickTimer);
    clearTimeout(this.fenceTimer);
    this.stopWatch?.();
  }

  private freshLease(): NodeLease {
    const o = this.opts;
    return {
      node: o.node,
      incarnation: randomUUID(),
      pid: process.pid,
      hostname: hostname(),
      address: o.address,
      tags: o.tags ?? [],
      capacity: o.capacity ?? null,
      api: o.api,
      state: 'alive',
      startedAt: new Date().toISOString(),
    };
  }

  private async take(): Promise<void> {
    const taken = await takeLease({
      leases: this.leases,
      node: this.opts.node,
      lease: this.lease,
      timings: this.timings,
      now: this.now,
      observe: (serverMs) => this.observe(serverMs),
      serverNow: () => estimateServerNow(this.clock ?? { serverMs: 0, localMs: 0 }, this.now()),
      onError: (err) => this.hooks.onError?.(err),
      stopped: () => this.stopped,
    });
    this.held(taken.revision, taken.sentAt);
  }

  private held(revision: number, sentAt: number): void {
    this.revision = revision;
    // Others' leases may have aged while this node was away from the bucket; it gives them a ttl.
    this.startGrace(revision);
    this.renewed(sentAt);
  }

  private startGrace(revision: number): void {
    this.graceRevision = revision;
    this.graceSeen = false;
  }

  private renewed(sentAt: number): void {
    clearTimeout(this.fenceTimer);
    const delay = fenceDeadline(sentAt, this.timings) - this.now();
    this.fenceTimer = setTimeout(() => void this.fence(sentAt), Math.max(0, delay));
  }

  private async fence(sentAt: number): Promise<void> {
    if (this.stopped || this.fenceReported) return;
    this.fenceReported = true;
    const ago = ((this.now() - sentAt) / 1000).toFixed(1);
    await this.call(() => this.hooks.onFence?.(`no lease renewal for ${this.timings.fenceAfterMs} ms (last successful renewal sent ${ago} s ago)`));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.tickTimer = setTimeout(() => {
      this.tick();
      this.schedule();
    }, this.timings.heartbeatMs);
  }

  private tick(): void {
    // A renewal still waiting for its answer (a frozen server) is not doubled; the fence timer
    // runs on its own meanwhile.
    this.renewal ??= this.renew().finally(() => (this.renewal = null));
    this.judge();
  }

  private async renew(): Promise<void> {
    const sentAt = this.now();
    try {
      const write = await this.leases.update(this.opts.node, this.lease, this.revision, 2 * this.timings.heartbeatMs);
      if (write.ok) this.revision = write.revision;
      if (this.stopped) return;
      if (write.ok) {
        if (this.failing) this.startGrace(write.revision);
        this.failing = false;
        this.renewed(sentAt);
        this.checkWatch();
        if (this.fenceReported) {
          this.fenceReported = false;
          await this.call(() => this.hooks.onRecovered?.());
        }
        return;
      }
      await this.lostLease();
    } catch (err) {
      this.failing = true;
      this.hooks.onError?.(err);
    }
  }

  // The revision moved on without this node: its own renewal whose answer was lost, a stale
  // read, or someone else's write (a declaration of death, or a takeover after expiry).
  private async lostLease(): Promise<void> {
    const node = this.opts.node;
    const current = await this.leases.get(node);
    if (current !== null && current.revision <= this.revision) return;
    const holder = current === null ? null : readNodeLease(current.value, node);
    if (current !== null && holder?.incarnation === this.lease.incarnation && holder.state === 'alive') {
      // A rejoin whose answer was lost counts once it is seen.
      // Its fence deadline counts from when it was sent, the earliest moment it can have landed.
      if (this.rejoinSentAt !== null) return this.rejoined(current.revision, this.rejoinSentAt);
      this.revision = current.revision;
      return;
    }
    clearTimeout(this.fenceTimer);
    if (holder !== null && holder.state === 'alive') {
      this.halt();
      await this.call(() => this.hooks.onFenced?.(`lease taken over by pid ${holder.pid} on host ${holder.hostname}`));
      return;
    }
    // Until the rejoin lands this node judges nobody, and a retry does not report the loss again.
    this.failing = true;
    const lost = current?.revision ?? -1;
    if (lost !== this.reportedLoss) {
      this.reportedLoss = lost;
      const by = holder?.declaredBy ?? (holder?.state === 'left' ? 'a leave written by another process' : 'unknown');
      await this.call(() => this.hooks.onFenced?.(current === null ? 'lease deleted' : `declared down by ${by}`));
    }
    this.lease = this.freshLease();
    const sentAt = this.now();
    this.rejoinSentAt = sentAt;
    const write = current === null ? await this.leases.create(node, this.lease) : await this.leases.update(node, this.lease, current.revision);
    // Refused: another writer got there first; the next heartbeat looks again.
    if (write.ok) await this.rejoined(write.revision, sentAt);
  }

  private async rejoined(revision: number, sentAt: number): Promise<void> {
    this.rejoinSentAt = null;
    this.fenceReported = false;
    this.failing = false;
    this.held(revision, sentAt);
    await this.call(() => this.hooks.onRejoined?.(this.lease.incarnation));
  }

  // Every judgement comes from the watch. A watch whose consumer the cluster lost with a server
  // can go quiet without ending; this node's own renewals, which land, must then still show up
  // in it, so a watch that has not shown one for a few heartbeats is opened again.
  private checkWatch(): void {
    if (this.rewatching || this.now() - this.ownSeenAt < WATCH_STALL_HEARTBEATS * this.timings.heartbeatMs) return;
    this.rewatching = true;
    this.ownSeenAt = this.now();
    const previous = this.stopWatch;
    void this.leases
      .watch((e) => this.onEntry(e), (err) => this.hooks.onError?.(err))
      .then((stop) => {
        previous?.();
        if (this.stopped) stop();
        else this.stopWatch = stop;
      })
      .catch((err: unknown) => this.hooks.onError?.(err))
      .finally(() => (this.rewatching = false));
  }

  private onEntry(e: LeaseEntry): void {
    if (this.stopped) return;
    if (e.key === this.opts.node) this.ownSeenAt = this.now();
    const serverMs = e.serverTime.getTime();
    this.observe(serverMs);
    if (!isNodeKey(e.key)) return;
    if (e.deleted) this.seen.delete(e.key);
    else recordLease(this.seen, e.key, { revision: e.revision, serverTimeMs: serverMs, value: e.value });
    // A later revision of our own lease than the grace's first renewal implies that one landed
    // before it (its own entry may have been missed by a watch opened again meanwhile).
    if (e.key === this.opts.node && !this.graceSeen && e.revision >= this.graceRevision) {
      this.graceFromMs = serverMs;
      this.graceSeen = true;
    }
    this.notifyChange();
  }

  private observe(serverMs: number): void {
    this.clock = observeServerTime(this.clock, serverMs, this.now());
  }

  private judge(): void {
    this.notifyChange();
    // A node whose own renewals fail sees the others through a stale bucket: it judges nobody.
    if (this.clock === null || this.failing || this.fenceReported || !this.graceSeen) return;
    const serverNow = estimateServerNow(this.clock, this.now());
    for (const v of judgeLeases(this.seen, serverNow, this.timings, this.graceFromMs)) {
      if (v.status !== 'expired' || v.node === this.opts.node || this.declaring.has(v.node)) continue;
      const lease = this.seen.get(v.node);
      if (lease !== undefined) void this.declareDown(v.node, lease, v.ageMs);
    }
  }

  private async declareDown(node: string, lease: SeenLease, ageMs: number): Promise<void> {
    this.declaring.add(node);
    try {
      const value = { ...readNodeLease(lease.value, node), state: 'down', declaredBy: this.opts.node };
      const write = await this.leases.update(node, value, lease.revision);
      if (write.ok) {
        recordLease(this.seen, node, { revision: write.revision, serverTimeMs: lease.serverTimeMs, value });
        const reason = `lease expired: last heartbeat ${(ageMs / 1000).toFixed(1)} s ago (server time)`;
        await this.call(() => this.hooks.onNodeDown?.(node, { reason, lastSeen: new Date(lease.serverTimeMs) }));
        return;
      }
      // It renewed, or another survivor declared it first: read what is there now.
      const current = await this.leases.get(node);
      if (current !== null) recordLease(this.seen, node, { revision: current.revision, serverTimeMs: current.serverTime.getTime(), value: current.value });
    } catch (err) {
      this.hooks.onError?.(err);
    } finally {
      this.declaring.delete(node);
      this.notifyChange();
    }
  }

  private notifyChange(): void {
    if (this.hooks.onChange === undefined) return;
    const nodes = this.nodes();
    // Ages change every time; the hook is for changes of who is there and in what state.
    const view = JSON.stringify(nodes.map((n) => [n.id, n.state, n.incarnation, n.tags, n.address, n.api]));
    if (view === this.lastView) return;
    this.lastView = view;
    this.hooks.onChange(nodes);
  }

  private async call(hook: () => void | Promise<void>): Promise<void> {
    try {
      await hook();
    } catch (err) {
      this.hooks.onError?.(err);
    }
  }
}
