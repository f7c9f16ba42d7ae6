// Waiting for the peers of a cluster. Users start machines one after another, so a node whose
// peers are not up yet is not failing: its JetStream has no meta leader (no majority of the
// members) or too few servers to place the stream's replicas. The wait lasts until the peers come
// or the node is stopped; what it waits for is reported from its own server's monitor endpoint.
import { setTimeout as sleep } from 'node:timers/promises';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { ClusterConfig } from '../config/index.ts';
import { monitorJson } from './monitor-get.ts';

/** How a node waiting for its cluster hears about it, and how it is called off. */
export interface ClusterWaitHooks {
  /** A line such as `waiting for the cluster: 1 of 3 servers seen, JetStream needs 2; dialling ...`. */
  onWaiting?(line: string): void;
  /** Stops the wait (and the startup); the server is stopped by the caller. */
  signal?: AbortSignal;
}

/** What a waiting node knows about its cluster. */
export interface ClusterView {
  /** Servers this node sees: itself and its connected routes. */
  seen: number;
  /** Members it expects: the configured routes and itself (or more, if JetStream knows more). */
  size: number;
  /** Servers needed: a majority for the meta leader, or the stream's replica count. */
  needed: number;
  /** What needs them: JetStream itself, or the event stream's replicas. */
  neededBy: 'JetStream' | 'the event stream';
  /** Configured route URLs it keeps dialling. */
  dialling: string[];
}

/** Reads the cluster as the embedded server at `monitorUrl` sees it. */
export async function clusterView(monitorUrl: string, cluster: ClusterConfig, replicas = 1): Promise<ClusterView> {
  const get = async (path: string): Promise<Record<string, unknown> | null> => {
    try {
      return await monitorJson(`${monitorUrl}${path}`, 2_000);
    } catch {
      return null;
    }
  };
  const [routez, jsz] = await Promise.all([get('/routez'), get('/jsz')]);
  const routes = Array.isArray(routez?.routes) ? (routez.routes as { remote_id?: string }[]) : [];
  // An implicit and an explicit route to the same peer count once.
  const seen = new Set(routes.map((r, i) => r.remote_id ?? String(i))).size + 1;
  const meta = jsz?.meta_cluster as { cluster_size?: number } | undefined;
  const size = Math.max(cluster.routes.length + 1, meta?.cluster_size ?? 0);
  const quorum = Math.floor(size / 2) + 1;
  const byStream = replicas > quorum;
  return { seen, size, needed: byStream ? replicas : quorum, neededBy: byStream ? 'the event stream' : 'JetStream', dialling: cluster.routes };
}

/** The progress line of a waiting node. */
export function describeClusterWait(v: ClusterView): string {
  const dialling = v.dialling.length === 0 ? 'no routes configured (nats.cluster.routes)' : `dialling ${v.dialling.join(', ')}`;
  return `waiting for the cluster: ${v.seen} of ${v.size} servers seen, ${v.neededBy} needs ${v.needed}; ${dialling}`;
}

/** True for a /healthz answer or a JetStream error that means "no quorum yet", not a fault. */
export function isClusterPending(detail: string): boolean {
  return /meta leader|JetStream (is )?not (enabled|current)|insufficient resources|no suitable peers/i.test(detail);
}

/** True for a JetStream API error that more cluster members would cure. */
export function isPeersMissing(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof JetStreamApiError && isClusterPending(e.message)) return true;
  }
  return false;
}

// The first line waits a little (a cluster whose peers are all up elects a leader within a
// second or two); after that a line at most every 2 s, and only when it changed or 10 s passed.
const GRACE_MS = 2_000;
const MIN_GAP_MS = 2_000;
const REPEAT_MS = 10_000;

/** Throttles the waiting lines of one startup. */
export class ClusterWaitReporter {
  private readonly since = Date.now();
  private lastAt = 0;
  private last = '';

  constructor(
    private readonly monitorUrl: string,
    private readonly cluster: ClusterConfig,
    private readonly hooks: ClusterWaitHooks,
    private readonly replicas = 1,
  ) {}

  /** Reports the cluster's state if it is time to; resolves with the view it read, if any. */
  async tick(): Promise<ClusterView | null> {
    const now = Date.now();
    if (this.hooks.onWaiting === undefined || now - this.since < GRACE_MS || now - this.lastAt < MIN_GAP_MS) return null;
    const view = await this.view();
    const line = describeClusterWait(view);
    if (line !== this.last || now - this.lastAt >= REPEAT_MS) {
      this.hooks.onWaiting(line);
      this.last = line;
      this.lastAt = now;
    }
    return view;
  }

  /** Reads the cluster's state now. */
  view(): Promise<ClusterView> {
    return clusterView(this.monitorUrl, this.cluster, this.replicas);
  }

  /** Sleeps `ms` unless the startup is called off (then throws the abort reason). */
  async pause(ms: number): Promise<void> {
    await abortableSleep(ms, this.hooks.signal);
  }
}

/** Sleeps `ms`; rejects with the signal's reason once it is aborted. */
export async function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted();
  try {
    await sleep(ms, undefined, signal === undefined ? {} : { signal });
  } catch (err) {
    throw signal?.aborted === true ? signal.reason : err;
  }
}
