// Heartbeat events as samples. The record in the bucket takes every heartbeat; the stream only
// needs enough of them for the views (every node reduces every event it holds), so a run's
// heartbeat events leave at most once per window: the first at once, later ones held as one
// pending event (the latest wins) and published when the window ends. Any other event of the
// run publishes its pending heartbeat first, so the stream keeps each run's order. The window
// widens with the number of runs heartbeating so that the node publishes at most `perSecond`
// heartbeat events a second: at one event per run per second, 1,000 runs would fill the
// default 256 MiB stream in about fifteen minutes and push every service's history out.
import type { NestorEvent } from '../events/index.ts';

const HEARTBEAT = 'orchestrator.run.heartbeat';

/** Options of {@link HeartbeatSampler}. */
export interface HeartbeatSamplerOptions {
  /** At most one heartbeat event per run per window (ms): the shortest window. */
  windowMs: number;
  /** At most this many heartbeat events a second from this node (in all): windows widen past it. */
  perSecond: number;
  /** Publishes events in order (called synchronously, so calls keep their order on the connection). */
  publish(events: NestorEvent[]): void;
}

interface Window {
  pending: NestorEvent | null;
  timer: NodeJS.Timeout;
}

/** Thins each run's heartbeat events to one per window; other events pass in order. */
export class HeartbeatSampler {
  readonly #opts: HeartbeatSamplerOptions;
  // Runs with a window open: a heartbeat event left less than windowMs ago.
  readonly #open = new Map<string, Window>();

  constructor(opts: HeartbeatSamplerOptions) {
    this.#opts = opts;
  }

  /** Takes the events of one committed batch of a run, in order, and publishes what may leave now. */
  take(id: string, events: readonly NestorEvent[]): void {
    const out: NestorEvent[] = [];
    for (const e of lastOfEachRun(events)) {
      const window = this.#open.get(id);
      if (e.type !== HEARTBEAT) {
        if (window?.pending) {
          out.push(window.pending);
          window.pending = null;
        }
        out.push(e);
      } else if (window === undefined) {
        out.push(e);
        this.#openWindow(id);
      } else {
        window.pending = window.pending === null ? e : keepStatus(window.pending, e);
      }
    }
    if (out.length > 0) this.#opts.publish(out);
  }

  /** Publishes every held heartbeat now and closes the windows (the registry is closing). */
  flush(): void {
    const out: NestorEvent[] = [];
    for (const window of this.#open.values()) {
      clearTimeout(window.timer);
      if (window.pending !== null) out.push(window.pending);
    }
    this.#open.clear();
    if (out.length > 0) this.#opts.publish(out);
  }

  #openWindow(id: string): void {
    // Runs with a window open are the runs heartbeating: each gets its share of the budget.
    const ms = Math.max(this.#opts.windowMs, Math.ceil(((this.#open.size + 1) * 1000) / this.#opts.perSecond));
    const timer = setTimeout(() => {
      const window = this.#open.get(id);
      this.#open.delete(id);
      if (window?.pending) {
        // The held heartbeat leaves now and opens the next window.
        this.#openWindow(id);
        this.#opts.publish([window.pending]);
      }
    }, ms);
    timer.unref();
    this.#open.set(id, { pending: null, timer });
  }
}

// Within one batch a heartbeat followed by another, with nothing else between, says nothing the
// second does not (but a status the second leaves empty, which keepStatus carries over).
function lastOfEachRun(events: readonly NestorEvent[]): NestorEvent[] {
  const out: NestorEvent[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (e.type === HEARTBEAT && last?.type === HEARTBEAT) out[out.length - 1] = keepStatus(last, e);
    else out.push(e);
  }
  return out;
}

// An empty runtimeStatus means "unchanged" to the reducer, so the one it replaces must survive.
function keepStatus(older: NestorEvent, newer: NestorEvent): NestorEvent {
  const before = (older.data as { runtimeStatus?: string }).runtimeStatus ?? '';
  const data = newer.data as { runtimeStatus?: string };
  if (data.runtimeStatus !== '' || before === '') return newer;
  return { ...newer, data: { ...data, runtimeStatus: before } } as NestorEvent;
}
