// The shell around schedule(): gathers the facts (placed specs from the stream's register
// events, the membership's judgement of the leases, the claims bucket, drain flags from the
// live state, what the controller runs), runs schedule() whenever one of them changes, and
// performs its actions one pass at a time:
//   claim   → compare-and-set in the claims bucket; on success `service.placed`, then the
//             controller gets the instance's registration and starts it
//   run     → the controller gets the registration (after a restart of this node, say)
//   release → the controller stops the instance; once its process group is gone the claim
//             is deleted (compare-and-set on our revision), and only then may another node take it
//   unclaim → a claim of ours we do not use is deleted
//   report  → `service.lost` / `service.unplaced`, by the coordinator only, once per change
// It also keeps peers.ts informed, which tells the controller what other nodes' instances are
// doing (dependencies across nodes) and where they listen ({services.<id>.*} placeholders).
import type { LiveState } from '../api/live-state.ts';
import { followEvents } from '../bus/index.ts';
import type { BusReader, Leases, ReadResult } from '../bus/index.ts';
import { registrationOf } from '../controller/index.ts';
import type { Controller } from '../controller/index.ts';
import type { Input } from '../controller/core/index.ts';
import { instanceName, instanceRef, parseInstance, typeFilter } from '../events/index.ts';
import type { EventType, PayloadOf } from '../events/index.ts';
import type { State } from '../state/index.ts';
import { movable, schedule } from './core/index.ts';
import type { Claim, Member, PlacedService, ScheduleAction } from './core/index.ts';
import { PeerTracker } from './peers.ts';
import type { PeerEndpoint } from './peers.ts';
import { claimKey, nameOfClaimKey } from './references.ts';

type Registered = Extract<Input, { kind: 'registered' }>;

/** What a scheduler needs from its node. */
export interface SchedulerOptions {
  node: string;
  bus: BusReader;
  claims: Leases;
  controller: Controller;
  live: LiveState;
  /** The membership's current judgement, and a way to hear when it changes. */
  members(): Member[];
  publish<T extends EventType>(type: T, data: PayloadOf<T>): Promise<void>;
  /** How long a released instance may take to stop while this node is fenced (its lease is running out). */
  fenceStopMs: number;
  /**
   * The first pass waits this long, so that the leases of nodes starting together are known
   * before anything is placed (else the first node takes everything and spread moves it after).
   */
  settleMs: number;
  onError(err: unknown): void;
  /** What the scheduler did, for the node's log. */
  log?(line: string): void;
}

/** A claim's value in the bucket. */
interface ClaimValue {
  node: string;
  at: string;
}

/** Keeps this node's share of the placed instances running, and only its share. */
export class Scheduler {
  private readonly specs = new Map<string, { input: Registered; registeredBy: string; seq: number }>();
  private readonly claims = new Map<string, Claim>();
  /** The latest revision known of each claim key, deletions included. */
  private readonly claimRevisions = new Map<string, number>();
  /** Claims whose write was just refused, left alone until then (performance.now()). */
  private readonly refusedUntil = new Map<string, number>();
  private readonly releasing = new Map<string, number | null>();
  private readonly reported = new Map<string, string>();
  private readonly abort = new AbortController();
  private fenced = false;
  private pass: Promise<void> = Promise.resolve();
  private queued = false;
  private stopWatch: (() => void) | null = null;
  private stopLive: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private stopped = false;
  private settled = false;
  private liveDue = false;
  private rewatch = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  private readonly peers: PeerTracker;

  constructor(private readonly opts: SchedulerOptions) {
    this.peers = new PeerTracker(opts.node, opts.controller, opts.log);
  }

  /** Starts following registrations and claims; resolves once the history of both is read. */
  async start(): Promise<void> {
    this.stopWatch = await this.watchClaims();
    const follow = followEvents(this.opts.bus, { fromSeq: 1, filter: typeFilter('orchestrator.service.register'), signal: this.abort.signal });
    this.loop = this.readRegistrations(follow).catch((err: unknown) => {
      if (!this.abort.signal.aborted) this.opts.onError(err);
    });
    // Every stream event (log metadata included) changes the state: the scans below run once
    // per burst of events rather than once per event.
    this.stopLive = this.opts.live.subscribe((_item, state, previous) => {
      if (state.services === previous.services && state.nodes === previous.nodes) return;
      if (this.liveDue) return;
      this.liveDue = true;
      this.later(LIVE_COALESCE_MS, () => {
        this.liveDue = false;
        this.onLiveState(this.opts.live.state);
      });
    });
    this.onLiveState(this.opts.live.state);
    this.later(this.opts.settleMs, () => {
      this.settled = true;
      this.kick();
    });
    // A pass is pure computation and cheap; one every few seconds catches what no change
    // announced (a claim write that failed while the bucket elected a leader, say).
    const sweep = setInterval(() => {
      if (this.rewatch) void this.reopenClaims();
      this.kick();
    }, SWEEP_MS);
    sweep.unref();
    this.timers.add(sweep);
  }

  private watchClaims(): Promise<() => void> {
    return this.opts.claims.watch(
      (e) => {
        this.applyClaim(nameOfClaimKey(e.key), e.revision, e.deleted ? null : ((e.value as ClaimValue | null)?.node ?? ''));
        this.kick();
      },
      (err) => this.opts.onError(err),
    );
  }

  // A claim's latest revision wins: a watch opened again, or served by a replica that lags,
  // may deliver an older one after a read from the stream leader brought a newer one.
  private applyClaim(name: string, revision: number, node: string | null): void {
    if (revision < (this.claimRevisions.get(name) ?? 0)) return;
    this.claimRevisions.set(name, revision);
    if (node === null) this.claims.delete(name);
    else this.claims.set(name, { node, revision });
  }

  // A compare-and-set was refused: this node's view of the claim is stale (its watch lags, or
  // another node wrote first). The claim is read from the stream leader, and that answer wins
  // over whatever the watch said, newer-looking revisions included: a server that was killed
  // while leading the bucket can come back holding writes that were never committed, and a
  // watch served from its copy shows them until it catches up. The claim is left alone for a
  // moment, so a pass does not retry it at once.
  private async refreshClaim(name: string, refused: string): Promise<void> {
    this.refusedUntil.set(name, performance.now() + RETRY_MS);
    this.later(RETRY_MS, () => this.kick());
    const current = await this.opts.claims.get(claimKey(name));
    const holds = current === null ? 'no claim' : `revision ${current.revision} for ${(current.value as ClaimValue | null)?.node ?? '?'}`;
    this.opts.log?.(`scheduler: ${refused} of ${name} refused; the bucket holds ${holds}`);
    this.claimRevisions.delete(name);
    if (current === null) this.claims.delete(name);
    else this.applyClaim(name, current.revision, (current.value as ClaimValue | null)?.node ?? '');
  }

  // A claim write failed: the bucket had a bad moment, in which the watch's consumer may have
  // been lost without the watch ending. A fresh watch replays every current claim (deleted ones
  // as deletions) over the map.
  private async reopenClaims(): Promise<void> {
    this.rewatch = false;
    try {
      const next = await this.watchClaims();
      this.stopWatch?.();
      if (this.stopped) return next();
      this.stopWatch = next;
    } catch (err) {
      this.rewatch = true;
      this.opts.onError(err);
    }
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** Membership or anything else changed: schedule again. */
  kick(): void {
    if (this.stopped || (!this.settled && !this.fenced)) return;
    if (this.queued) return;
    this.queued = true;
    this.pass = this.pass.then(async () => {
      this.queued = false;
      await this.runPass().catch((err: unknown) => this.opts.onError(err));
    });
  }

  /** This node could not renew its lease: stop every placed instance now and claim nothing. */
  fence(): void {
    this.fenced = true;
    this.kick();
  }

  /** Renewals succeed again (nobody took the lease): schedule normally. */
  unfence(): void {
    this.fenced = false;
    this.kick();
  }

  /** The controller finished stopping a released instance: give its claim back. */
  released(key: string): void {
    const parsed = parseInstance(key);
    if (parsed === null) return;
    const name = instanceName(parsed.service, parsed.instance);
    if (!this.releasing.has(name)) return;
    this.releasing.delete(name);
    const claim = this.claims.get(name);
    if (claim?.node === this.opts.node) {
      void this.opts.claims
        .delete(claimKey(name), claim.revision)
        .then((deleted) => (deleted ? undefined : this.refreshClaim(name, `delete at revision ${claim.revision}`)))
        .catch((err: unknown) => this.opts.onError(err))
        .finally(() => this.kick());
    } else this.kick();
  }

  /** Instance names whose claim this node holds. */
  held(): string[] {
    return [...this.claims].filter(([, c]) => c.node === this.opts.node).map(([name]) => name);
  }

  /** Held instances that a drain moves (the pinned ones stay). */
  heldMovable(): string[] {
    return this.held().filter((name) => {
      const placement = this.specs.get(name.slice(0, name.lastIndexOf('@')))?.input.spec.placement;
      return placement !== undefined && movable(placement);
    });
  }

  /** Stops scheduling (the controller's shutdown stops the instances). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.abort.abort();
    this.stopWatch?.();
    this.stopLive?.();
    await this.loop;
    await this.pass;
  }

  private async readRegistrations(results: AsyncIterable<ReadResult>): Promise<void> {
    for await (const r of results) {
      if (!r.ok || r.event.type !== 'orchestrator.service.register') continue;
      const service = r.event.data.service;
      const result = registrationOf(r.event);
      if (!result.ok || result.input.spec.placement === undefined) {
        // A registration without placement makes the service local to its node again.
        if (this.specs.delete(service)) this.kick();
        continue;
      }
      this.specs.set(service, { input: result.input, registeredBy: r.event.origin.node, seq: r.event.seq });
      this.kick();
    }
  }

  private services: State['services'] = {};
  private drains: Record<string, boolean> = {};

  private onLiveState(state: State): void {
    this.services = state.services;
    const drains: Record<string, boolean> = {};
    for (const [id, n] of Object.entries(state.nodes)) drains[id] = n.draining;
    const drainsChanged = JSON.stringify(drains) !== JSON.stringify(this.drains);
    this.drains = drains;
    this.peers.update(state);
    if (drainsChanged) this.kick();
    // A retired service leaves the state: the scheduler stops placing it. Only a state that
    // already includes the registration can say so: the live state and the registrations are
    // two readers of the stream, and a live state behind them (a node starting) lacked services
    // it had not reached yet, which were then never placed.
    const present = new Set(Object.values(state.services).map((s) => s.service));
    for (const [service, spec] of this.specs) {
      if (!present.has(service) && state.seq >= spec.seq) {
        this.specs.delete(service);
        this.kick();
      }
    }
  }

  /** Where other nodes' services listen (the first ready instance of each), for {services.<id>.*}. */
  endpoints(): Record<string, PeerEndpoint> {
    return this.peers.endpoints();
  }

  private async runPass(): Promise<void> {
    const placed: PlacedService[] = [...this.specs].map(([service, s]) => ({
      service,
      replicas: s.input.spec.replicas,
      placement: s.input.spec.placement as PlacedService['placement'],
      registeredBy: s.registeredBy,
    }));
    const members = this.opts.members().map((m) => ({ ...m, draining: m.draining || (this.drains[m.id] ?? false) }));
    // A node unsure of its own lease (between a failed renewal and the fence, or rejoining)
    // moves nothing: fencing, not placement, decides what stops then.
    const me = members.find((m) => m.id === this.opts.node);
    if (!this.fenced && (me === undefined || (me.state !== 'alive' && me.state !== 'suspect'))) return;
    const running = new Set<string>();
    for (const svc of Object.values(this.opts.controller.snapshot().services)) {
      if (svc.spec.placement !== undefined) running.add(instanceName(svc.service, svc.instance));
    }
    const actions = schedule({
      me: this.opts.node,
      services: placed,
      members,
      claims: Object.fromEntries(this.claims),
      running,
      releasing: new Set(this.releasing.keys()),
      fenced: this.fenced,
    });
    // One failed action (the bucket is unreachable for a moment) must not hold back the others,
    // and the pass is tried again soon.
    let failed = false;
    const now = performance.now();
    for (const action of actions) {
      if ((action.kind === 'claim' || action.kind === 'run') && (this.refusedUntil.get(action.name) ?? 0) > now) continue;
      await this.perform(action).catch((err: unknown) => {
        failed = true;
        this.opts.log?.(`scheduler: ${action.kind} ${action.name} failed (${(err as Error).message}); trying again`);
      });
    }
    if (failed) {
      this.rewatch = true;
      this.later(RETRY_MS, () => this.kick());
    }
  }

  private async perform(action: ScheduleAction): Promise<void> {
    if (action.kind !== 'run' && action.kind !== 'report') this.opts.log?.(`scheduler: ${action.kind} ${action.name}${'reason' in action ? ` (${action.reason})` : ''}`);
    switch (action.kind) {
      case 'claim': {
        const value: ClaimValue = { node: this.opts.node, at: new Date().toISOString() };
        const key = claimKey(action.name);
        const write = action.revision === null ? await this.opts.claims.create(key, value) : await this.opts.claims.update(key, value, action.revision);
        if (!write.ok) return this.refreshClaim(action.name, `claim at revision ${action.revision ?? 'none'}`);
        this.applyClaim(action.name, write.revision, this.opts.node);
        await this.opts.publish('orchestrator.service.placed', {
          ...instanceRef(action.service, action.instance),
          node: this.opts.node,
          previous: action.previous,
          reason: action.reason,
        });
        this.reported.delete(action.name);
        return this.run(action.service, action.instance);
      }
      case 'run': {
        // The map of claims may be stale (a watch that missed changes while this node was cut
        // off): a start is made only on a claim this node has just rewritten by compare-and-set.
        const claim = this.claims.get(action.name);
        if (claim === undefined || claim.node !== this.opts.node) return;
        const value: ClaimValue = { node: this.opts.node, at: new Date().toISOString() };
        const write = await this.opts.claims.update(claimKey(action.name), value, claim.revision);
        if (!write.ok) {
          this.rewatch = true;
          return this.refreshClaim(action.name, `touch at revision ${claim.revision}`);
        }
        this.applyClaim(action.name, write.revision, this.opts.node);
        return this.run(action.service, action.instance);
      }
      case 'release':
        this.releasing.set(action.name, this.claims.get(action.name)?.revision ?? null);
        this.opts.controller.dispatch({
          kind: 'release',
          service: action.key,
          reason: action.reason,
          retire: action.retire,
          ...(this.fenced ? { timeoutMs: this.opts.fenceStopMs } : {}),
        });
        return;
      case 'unclaim':
        if (!(await this.opts.claims.delete(claimKey(action.name), action.revision))) return this.refreshClaim(action.name, `delete at revision ${action.revision}`);
        return;
      case 'report': {
        const d = action.decision;
        const said = `${d.kind}:${d.reason}`;
        if (this.reported.get(action.name) === said) return;
        const current = this.services[action.instance === 1 ? action.service : `${action.service}@${action.instance}`];
        if (d.kind === 'lost' && current?.state === 'lost') return this.reported.set(action.name, said) as unknown as void;
        this.reported.set(action.name, said);
        const ref = instanceRef(action.service, action.instance);
        if (d.kind === 'lost') await this.opts.publish('orchestrator.service.lost', { ...ref, node: d.node, reason: d.reason });
        else await this.opts.publish('orchestrator.service.unplaced', { ...ref, reason: d.reason });
        return;
      }
    }
  }

  private run(service: string, instance: number): void {
    const spec = this.specs.get(service);
    if (spec === undefined) return;
    this.opts.controller.dispatch({ ...spec.input, instance });
  }
}

/** How long a burst of stream events is gathered before the scheduler looks at the state. */
const LIVE_COALESCE_MS = 20;
/** How often a pass runs without any change announced. */
const SWEEP_MS = 5_000;
/** How soon a pass with a failed action is tried again. */
const RETRY_MS = 500;
