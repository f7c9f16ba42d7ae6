// The node's live view of the event stream, shared by every HTTP client: the reduced state, a
// ring of recent events, and synchronous listeners (SSE clients, the dashboard, metrics) that
// get each new event once, already serialized. Snapshot-then-live with the stream sequence as
// the cursor: the newest usable snapshot plus the history after it, up to the stream's last
// sequence, is reduced with stateAt, then followState continues from the next sequence, so no
// event is missed or applied twice.
//
// Listeners must not block: they copy what they need into their own bounded queues. LiveState
// never waits for a client, so a slow client cannot slow the orchestrator.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BusLink, BusReader } from '../bus/index.ts';
import { followState, readEvents, stateAt } from '../bus/index.ts';
import { emptyDecodeStats } from '../events/index.ts';
import type { DecodeStats, NestorEvent, Stored } from '../events/index.ts';
import { emptyState } from '../state/index.ts';
import { appendRecent } from '../views/index.ts';
import type { State } from '../state/index.ts';

/** One event as handed to listeners; `json` is the stored event (envelope + seq), serialized once on first read. */
export interface LiveEvent {
  event: Stored<NestorEvent>;
  json: string;
  /** Cache for a consumer's framing of `json` (every SSE client shares one encoded frame). */
  frame?: Buffer;
}

/** Receives each new event with the state it produced and the state before it. */
export type LiveListener = (item: LiveEvent, state: State, previous: State) => void;

/** How the API's own connection to the broker is doing. */
export type BrokerLink = BusLink;

/** Options of LiveState. */
export interface LiveStateOptions {
  /** Events kept for the event feed and the detail panes. */
  recentLimit?: number;
  onError?(err: unknown): void;
}

/** The live state of the stream, kept by following it from the last snapshot. */
export class LiveState {
  readonly #bus: BusReader;
  readonly #recentLimit: number;
  readonly #onError: (err: unknown) => void;
  readonly #listeners = new Set<LiveListener>();
  readonly #brokerListeners = new Set<(link: BrokerLink) => void>();
  readonly #stats: DecodeStats = emptyDecodeStats();
  readonly #abort = new AbortController();
  #state: State = emptyState();
  #cursor = 0;
  #recent: Stored<NestorEvent>[] = [];
  #broker: BrokerLink = 'connected';
  #loop: Promise<void> | null = null;

  constructor(bus: BusReader, opts: LiveStateOptions = {}) {
    this.#bus = bus;
    this.#recentLimit = opts.recentLimit ?? 200;
    this.#onError = opts.onError ?? (() => {});
  }

  /** The reduced state as of `cursor`. */
  get state(): State {
    return this.#state;
  }

  /** Last stream sequence processed (events and skipped messages alike). */
  get cursor(): number {
    return this.#cursor;
  }

  /** The most recent events, oldest first. */
  get recent(): readonly Stored<NestorEvent>[] {
    return this.#recent;
  }

  /** Decoded and skipped message counts. */
  get stats(): DecodeStats {
    return this.#stats;
  }

  /** The API's connection to the broker, as the client library reports it. */
  get broker(): BrokerLink {
    return this.#broker;
  }

  /** Reduces the history, loads the recent events, then follows the stream in the background. */
  async start(): Promise<void> {
    const bounds = await this.#bus.streamBounds();
    const { firstSeq, lastSeq: last } = bounds;
    this.#state = await stateAt(this.#bus, { until: last, stats: this.#stats, bounds });
    this.#cursor = last;
    const from = Math.max(firstSeq, last - this.#recentLimit + 1, 1);
    for await (const r of readEvents(this.#bus, { fromSeq: from, until: last })) {
      if (r.ok) this.#recent.push(r.event);
    }
    this.#loop = this.#follow();
    void this.#watchBroker();
  }

  /**
   * Waits until the state includes every message the stream held when called, so a reader
   * sees what a command it just waited for has done; false if that takes over `timeoutMs`.
   */
  async catchUp(timeoutMs = 2_000): Promise<boolean> {
    const { lastSeq } = await this.#bus.streamBounds();
    const deadline = Date.now() + timeoutMs;
    while (this.#cursor < lastSeq) {
      if (Date.now() >= deadline || this.#abort.signal.aborted) return false;
      await sleep(2);
    }
    return true;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Adds a broker-link listener; returns the function that removes it. */
  onBroker(listener: (link: BrokerLink) => void): () => void {
    this.#brokerListeners.add(listener);
    return () => this.#brokerListeners.delete(listener);
  }

  /** Stops following the stream. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    this.#listeners.clear();
    this.#brokerListeners.clear();
  }

  // Follows from the cursor; if the consumer fails (broker gone for longer than the client's
  // own reconnect handles) it starts again from the same cursor, so nothing is lost.
  async #follow(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        await followState(this.#bus, {
          initial: this.#state,
          fromSeq: this.#cursor + 1,
          signal,
          stats: this.#stats,
          onEvent: (event, state, previous) => this.#apply(event, state, previous),
        });
      } catch (err) {
        if (signal.aborted || this.#bus.isClosed()) return;
        this.#onError(err);
        await sleep(500, undefined, { signal }).catch(() => {});
      }
    }
  }

  #apply(event: Stored<NestorEvent>, state: State, previous: State): void {
    this.#state = state;
    this.#cursor = event.seq;
    this.#recent = appendRecent(this.#recent, event, this.#recentLimit);
    // Serialised on first use: only SSE clients read it, and with none open a start of
    // hundreds of services would stringify every event for nobody.
    let json: string | undefined;
    const item: LiveEvent = {
      event,
      get json(): string {
        return (json ??= JSON.stringify(event));
      },
    };
    for (const listener of this.#listeners) {
      try {
        listener(item, state, previous);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  async #watchBroker(): Promise<void> {
    try {
      for await (const next of this.#bus.links()) {
        if (this.#abort.signal.aborted) return;
        if (next === this.#broker) continue;
        this.#broker = next;
        for (const l of this.#brokerListeners) l(next);
      }
    } catch (err) {
      this.#onError(err);
    }
  }
}
