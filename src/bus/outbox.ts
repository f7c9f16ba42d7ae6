// The outbox: a node's events leave in the order they were emitted, one at a time, and survive
// a broker outage. Each event is retried with its message id (JetStream drops the duplicate if
// an earlier attempt did land) until the broker takes it. While the broker is away the outbox
// holds at most `capacity` events; past that it drops the oldest, counts them and warns, so a
// long outage costs memory that is bounded and a loss that is reported, never a crash.
// Contract:
//   in:  events, in emission order
//   out: each event stored once, in order; onWarning when the backlog starts and when it drops
//   never: reorders events; blocks the caller (enqueue returns at once with a delivery promise).
import { setTimeout as sleep } from 'node:timers/promises';
import type { NestorEvent } from '../events/index.ts';
import type { Bus } from './connect.ts';
import { InvalidEventError } from './errors.ts';
import type { PublishResult } from './publish.ts';

/** Options of an outbox. */
export interface OutboxOptions {
  /** Most events held while the broker is unreachable (default 10,000). */
  capacity?: number;
  /** A human sentence: the broker is unreachable and events are held, or some were dropped. */
  onWarning?(message: string): void;
  /** A publish failed for good (an invalid event, not an outage). */
  onError?(err: unknown): void;
}

interface Pending {
  event: NestorEvent;
  resolve(result: PublishResult | null): void;
}

/** Ordered, outage-tolerant publishing of one node's events. */
export class Outbox {
  private readonly queue: Pending[] = [];
  private sending = false;
  private closed = false;
  private dropped = 0;
  private backlogWarned = false;
  private readonly capacity: number;

  constructor(
    private readonly bus: Pick<Bus, 'publish'>,
    private readonly opts: OutboxOptions = {},
  ) {
    this.capacity = opts.capacity ?? 10_000;
  }

  /** Queues an event; resolves once it is stored (null if it was dropped or the outbox closed). */
  enqueue(event: NestorEvent): Promise<PublishResult | null> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(null);
      this.queue.push({ event, resolve });
      if (this.queue.length > this.capacity) {
        this.queue.shift()?.resolve(null);
        this.dropped++;
        if (this.dropped === 1 || this.dropped % 1000 === 0) {
          const why = this.backlogWarned ? 'the broker has been unreachable too long' : 'events are produced faster than the broker stores them';
          this.opts.onWarning?.(`${why}: ${this.dropped} oldest event(s) dropped (outbox capacity ${this.capacity})`);
        }
      }
      if (!this.sending) void this.send();
    });
  }

  /** Events waiting to be stored. */
  backlog(): number {
    return this.queue.length;
  }

  /** Resolves once at most `limit` events wait (or the outbox closed): backpressure for producers. */
  async below(limit: number): Promise<void> {
    while (this.queue.length > limit && !this.closed) await sleep(10);
  }

  /** Events dropped because the outbox was full. */
  droppedCount(): number {
    return this.dropped;
  }

  /** Waits until every queued event is stored (or `timeoutMs` passes), then stops. */
  async close(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) await sleep(20);
    this.closed = true;
    for (const p of this.queue.splice(0)) p.resolve(null);
  }

  private async send(): Promise<void> {
    this.sending = true;
    try {
      for (let head = this.queue[0]; head !== undefined && !this.closed; head = this.queue[0]) {
        const result = await this.deliver(head.event);
        // The head may have been dropped meanwhile (capacity); settle it only if still first.
        if (this.queue[0] === head) this.queue.shift();
        head.resolve(result);
      }
    } finally {
      this.sending = false;
    }
  }

  private async deliver(event: NestorEvent): Promise<PublishResult | null> {
    for (let delay = 100; !this.closed; delay = Math.min(delay * 2, 2_000)) {
      try {
        const result = await this.bus.publish(event);
        if (this.backlogWarned) {
          this.backlogWarned = false;
          this.opts.onWarning?.(`the broker is reachable again; ${this.queue.length} held event(s) are being delivered`);
        }
        return result;
      } catch (err) {
        // Only a contract violation is permanent; anything else (a timeout, a 503, a connection
        // dropped mid-request) is retried, which the message id makes safe.
        if (isPermanent(err)) {
          this.opts.onError?.(err);
          return null;
        }
        if (!this.backlogWarned) {
          this.backlogWarned = true;
          this.opts.onWarning?.(`the broker is unreachable; holding events (up to ${this.capacity}) until it is back`);
        }
        await sleep(delay);
      }
    }
    return null;
  }
}

/** True for failures no retry can fix: an event the contract refuses, or one too big to send. */
function isPermanent(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof InvalidEventError || /max(imum)?[ _]?payload/i.test(e.message)) return true;
  }
  return false;
}
