// A node's part in the cluster: its lease (membership), the scheduler of placed instances, and
// the node requests other nodes and the CLI send it (nodes, drain, undrain, shutdown, apply). Every
// node runs this, a lone one too: one node is a cluster of one, so `nestor nodes`, placement and
// drain work the same everywhere and nothing has a second code path.
import type { LiveState } from '../api/live-state.ts';
import { createEventFactory, serveNode } from '../bus/index.ts';
import type { Bus, EventFactory, NodeHandler, NodeResponse } from '../bus/index.ts';
import { Membership, Scheduler, claimKey } from '../cluster/index.ts';
import type { MembershipHooks } from '../cluster/index.ts';
import type { NestorConfig } from '../config/index.ts';
import type { Controller } from '../controller/index.ts';
import type { EventType, NestorEvent, PayloadOf } from '../events/index.ts';
import { selectNodes } from '../views/index.ts';
import type { MemberRow } from '../views/index.ts';

/** What the rest of the node sees of its cluster role. */
export interface ClusterRole {
  scheduler: Scheduler;
  /** The membership's judgement of every node, as the nodes view takes it. */
  members(): MemberRow[];
  /** Moves this node's movable instances away before it stops (bounded by `timeoutMs`). */
  drainSelf(timeoutMs: number): Promise<void>;
  /** Stops scheduling, gives back the claims of what no longer runs here, and leaves (or, on a crash path, stays silent). */
  stop(opts?: { leave?: boolean }): Promise<void>;
}

/** Options of startClusterRole. */
export interface ClusterRoleOptions {
  config: NestorConfig;
  bus: Bus;
  controller: Controller;
  live: LiveState;
  apiUrl: string;
  /** A person should read this (fencing, a node declared down). */
  warn(line: string): void;
  progress(line: string): void;
  /** A line for the node's log only. */
  log(line: string): void;
  onError(err: unknown): void;
  /** Another node or `nestor down --all` asked this node to stop. */
  onShutdownRequest(reason: string): void;
  /** Publishes node.up: called once the lease is this node's, before anything is placed, and again after a rejoin. */
  announce(): Promise<void>;
  /** Answers an `apply` request (`nestor apply`, `nestor up` again): the body names the project. */
  onApply?(body: unknown): Promise<NodeResponse>;
}

/** Takes this node's lease, then starts scheduling placed instances and answering node requests. */
export async function startClusterRole(opts: ClusterRoleOptions): Promise<ClusterRole> {
  const { config, bus, controller } = opts;
  const node = config.node;
  const membershipEvents = createEventFactory({ node, component: 'membership' });
  const schedulerEvents = createEventFactory({ node, component: 'scheduler' });
  const publish = <T extends EventType>(factory: EventFactory, type: T, data: PayloadOf<T>): Promise<void> =>
    bus.publish(factory(type, data) as NestorEvent).then(() => undefined);
  const timings = config.membership;
  let scheduler: Scheduler | null = null;
  const membership = await startMembership(opts, {
    onNodeDown: (down, info) =>
      publish(membershipEvents, 'orchestrator.node.down', { node: down, reason: info.reason, declaredBy: node }).finally(() => scheduler?.kick()),
    onFence: (reason) => {
      opts.warn(`fencing: ${reason}; stopping placed instances before this node's lease can expire`);
      scheduler?.fence();
    },
    onRecovered: () => {
      opts.progress('lease renewed again; placed instances may run here again');
      scheduler?.unfence();
    },
    onFenced: (reason) => {
      opts.warn(`this node was ${reason}; its placed instances stopped, rejoining`);
      scheduler?.fence();
    },
    onRejoined: () => {
      scheduler?.unfence();
      // The survivors reported this node's instances lost; restarting the local ones makes the
      // history say again what runs here, through the usual facts.
      void opts
        .announce()
        .then(() => Promise.all(controller.localInstances().map((key) => controller.command('restart', key, { node, component: 'membership' }))))
        .catch(opts.onError);
    },
    onChange: () => scheduler?.kick(),
    // A renewal or watch that failed is ridden out (fencing covers what matters): the log
    // keeps it, the terminal does not call it an internal error.
    onError: (err) => opts.log(`membership: ${(err as Error).message}`),
  });
  const claims = await opts
    .announce()
    .then(() => bus.claims())
    .catch(async (err: unknown) => {
      await membership.stop({ silent: true }).catch(() => {});
      throw err;
    });
  scheduler = new Scheduler({
    node,
    bus,
    claims,
    controller,
    live: opts.live,
    // A claim is taken over only from a node whose lease says it is down or left: that was
    // written by compare-and-set on its current revision. A judgement of this node alone (its
    // watch may lag behind renewals the holder did make) leaves the node suspect meanwhile.
    members: () =>
      membership.nodes().map((m) => ({ id: m.id, state: m.state === 'down' && !m.declared ? 'suspect' : m.state, tags: m.tags, draining: false })),
    publish: (type, data) => publish(schedulerEvents, type, data),
    // Fencing starts fenceAfterMs after the last renewal and the lease expires leaseTtlMs after
    // it; the stop must fit between the two, with a margin for the stop event itself.
    fenceStopMs: Math.max(100, timings.leaseTtlMs - timings.fenceAfterMs - 500),
    settleMs: 2 * timings.heartbeatMs,
    onError: (err) => opts.log(`scheduler: ${(err as Error).message}`),
    log: opts.log,
  });
  const sched = scheduler;
  controller.onReleased((key) => sched.released(key));
  await sched.start();

  const handler: NodeHandler = async (action, body) => {
    const by = (body as { requestedBy?: { node: string; component: string } } | null)?.requestedBy ?? { node: 'unknown', component: 'cli' };
    switch (action) {
      case 'nodes':
        return { ok: true, data: { nodes: selectNodes(opts.live.state, rows()) } };
      case 'drain':
      case 'undrain':
        await publish(membershipEvents, 'orchestrator.node.draining', { node, draining: action === 'drain', requestedBy: by });
        return { ok: true, data: { node, draining: action === 'drain' } };
      case 'shutdown':
        setImmediate(() => opts.onShutdownRequest(`down --all from ${by.component}@${by.node}`));
        return { ok: true, data: { node } };
      case 'apply':
        return opts.onApply === undefined ? { ok: false, message: `node ${node} does not apply project files` } : opts.onApply(body);
    }
  };
  const requests = serveNode(bus, node, handler);
  // The membership judges ages on the servers' clock; a row says when, on this node's clock.
  const rows = (): MemberRow[] => {
    const now = Date.now();
    return membership.nodes().map((m) => ({ id: m.id, state: m.state, tags: m.tags, address: m.address, api: m.api, lastSeenAt: now - m.lastSeenMs }));
  };

  return {
    scheduler: sched,
    members: rows,
    async drainSelf(timeoutMs) {
      const others = membership.nodes().filter((m) => m.id !== node && m.state === 'alive');
      if (others.length === 0 || sched.heldMovable().length === 0) return;
      opts.progress(`moving ${sched.heldMovable().length} placed instance(s) to other nodes before stopping`);
      await publish(membershipEvents, 'orchestrator.node.draining', { node, draining: true, requestedBy: { node, component: 'down' } });
      const deadline = Date.now() + timeoutMs;
      while (sched.heldMovable().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    },
    async stop(stopOpts = {}) {
      await requests.stop();
      await sched.stop();
      // Bounded: a stop must finish even when the buckets do not answer (the others then take
      // this node's claims once its lease expires, as after a crash).
      await within(STOP_BUDGET_MS, async () => {
        if (stopOpts.leave !== false) {
          // What stopped with this node's controller is free for the others at once, not only
          // once the lease would have expired.
          for (const name of sched.held()) await claims.delete(claimKey(name)).catch(() => {});
          await membership.leave().catch(opts.onError);
        } else await membership.stop({ silent: true });
      }).catch(() => membership.stop({ silent: true }).catch(() => {}));
    },
  };
}

// The membership takes the lease by compare-and-set; a node restarted soon after a crash finds
// its own lease still fresh and waits (at most one lease ttl) until it expires.
function startMembership(opts: ClusterRoleOptions, hooks: MembershipHooks): Promise<Membership> {
  const { config } = opts;
  return Membership.start({
    bus: opts.bus,
    node: config.node,
    tags: config.nodeTags,
    address: config.nodeAddress,
    api: opts.apiUrl,
    heartbeatMs: config.membership.heartbeatMs,
    ttlMs: config.membership.leaseTtlMs,
    fenceAfterMs: config.membership.fenceAfterMs,
    hooks,
  });
}

/** How long a node's cluster role may take to leave on shutdown. */
const STOP_BUDGET_MS = 5_000;

function within(ms: number, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error(`not done within ${ms} ms`)), ms)));
  return Promise.race([work(), late]).finally(() => clearTimeout(timer));
}
