// The node's snapshot saver: the state the node's live view keeps is saved to the snapshot
// bucket every `snapshotEvery` events, every `snapshotIntervalMs` when anything came in, and
// when the node stops, then announced with `orchestrator.snapshot.saved`. Views start from the
// newest one and read only the tail (docs/events.md, *Snapshots and replay*).
//
// Every node of a cluster runs one. A snapshot.saved from any node starts the count again, so
// the nodes do not each save at every step; when two save at once the bucket's compare-and-set
// keeps the newer one and the other skips its round.
import type { LiveState } from '../api/index.ts';
import type { BusWriter, EventFactory, SaveOutcome } from '../bus/index.ts';
import { saveSnapshot } from '../bus/index.ts';
import type { EventsConfig } from '../config/index.ts';
import { takeSnapshot } from '../state/index.ts';

/** Options of {@link SnapshotSaver}. */
export interface SnapshotSaverOptions {
  bus: BusWriter;
  live: LiveState;
  node: string;
  events: EventFactory;
  config: Pick<EventsConfig, 'snapshotEvery' | 'snapshotIntervalMs'>;
  /** A save that failed (the broker away, a state too large for one message). */
  onError?(err: unknown): void;
  /** A snapshot was saved and announced. */
  onSaved?(outcome: SaveOutcome & { saved: true }, throughSeq: number): void;
}

/** Saves snapshots of the live state as it grows; stop() saves the last one. */
export class SnapshotSaver {
  readonly #o: SnapshotSaverOptions;
  /** Events (other than snapshot announcements) since the newest snapshot this node knows of. */
  #pending = 0;
  #saving: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;
  #stopped = false;

  constructor(opts: SnapshotSaverOptions) {
    this.#o = opts;
  }

  /** Starts counting events and the interval timer. */
  start(): void {
    const { live, config } = this.#o;
    // The tail the live view reduced at its start (the whole stream when there was no usable
    // snapshot) counts too: a long one is saved at once.
    this.#pending = live.stats.decoded;
    if (config.snapshotEvery > 0 && this.#pending >= config.snapshotEvery) void this.save();
    this.#unsubscribe = live.subscribe((item) => {
      if (item.event.type === 'orchestrator.snapshot.saved') {
        this.#pending = 0;
        return;
      }
      this.#pending++;
      if (config.snapshotEvery > 0 && this.#pending >= config.snapshotEvery) void this.save();
    });
    if (config.snapshotIntervalMs > 0) {
      this.#timer = setInterval(() => {
        if (this.#pending > 0) void this.save();
      }, config.snapshotIntervalMs);
      this.#timer.unref();
    }
  }

  /**
   * Saves the current state now unless a save is running; resolves when done. Failures go to
   * onError: a missed snapshot only makes views read a longer tail.
   */
  save(): Promise<void> {
    this.#saving ??= this.#save()
      .catch((err: unknown) => this.#o.onError?.(err))
      .finally(() => (this.#saving = null));
    return this.#saving;
  }

  /**
   * Stops counting and saves a last snapshot if anything came in since the newest one. With
   * `throughSeq` (the node's own last event), it first waits up to `waitMs` for the live view to
   * apply it, so the last snapshot includes it.
   */
  async stop(throughSeq?: number, waitMs = 2_000): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    if (throughSeq !== undefined) await this.#caughtUp(throughSeq, waitMs);
    this.#unsubscribe?.();
    await this.#saving;
    if (this.#pending > 0) await this.save();
  }

  /** Stops counting and the timer without saving (a boot that failed). */
  cancel(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#unsubscribe?.();
  }

  async #save(): Promise<void> {
    const { bus, live, node, events } = this.#o;
    const state = live.state;
    const taken = this.#pending;
    let outcome: Awaited<ReturnType<typeof saveSnapshot>>;
    try {
      const bounds = await bus.streamBounds();
      const through = live.recent.findLast((e) => e.seq === state.seq);
      outcome = await saveSnapshot(bus, {
        ...takeSnapshot(state),
        stream: bus.streamName,
        streamCreated: bounds.created,
        node,
        throughTimestamp: through?.timestamp ?? null,
        savedAt: new Date().toISOString(),
      });
    } finally {
      // Events that arrived while saving still count toward the next one. A failed save (a
      // state over the broker's max_payload) starts the count again too: otherwise every next
      // event retried it, serializing the whole state each time.
      this.#pending = Math.max(0, this.#pending - taken);
    }
    if (!outcome.saved) return;
    await bus.publish(events('orchestrator.snapshot.saved', { node, throughSeq: state.seq, key: outcome.key }));
    this.#o.onSaved?.(outcome, state.seq);
  }

  // Resolves once the live view has applied `seq`, or after `waitMs`.
  async #caughtUp(seq: number, waitMs: number): Promise<void> {
    const { live } = this.#o;
    if (live.cursor >= seq) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      const off = live.subscribe((item) => {
        if (item.event.seq >= seq) done();
      });
      function done(): void {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }
}
