// The harness's event recorder: follows the stream from its first message for the whole life of
// a harness, keeps every decoded event with its seq, counts skips, and wakes waiters. Tests
// wait on it instead of sleeping: a sleep is either too short on a loaded machine (a flake) or
// longer than needed everywhere else.
import { emptyDecodeStats } from '../events/index.ts';
import type { DecodeStats, EventType, NestorEvent, SkipReason, Stored } from '../events/index.ts';
import { followEvents } from '../bus/index.ts';
import type { BusReader } from '../bus/index.ts';
import { emptyState, reduce } from '../state/index.ts';
import type { State } from '../state/index.ts';

/** A message the recorder could not decode. */
export interface RecordedSkip {
  seq: number;
  subject: string;
  reason: SkipReason;
  detail: string;
}

/** A recorded event of one type. */
export type StoredOf<T extends EventType> = Stored<Extract<NestorEvent, { type: T }>>;

/** Options of waitForEvent. */
export interface WaitOptions {
  /** 10 s by default. */
  timeoutMs?: number;
  /** Ignore events at or before this stream sequence. */
  since?: number;
}

/** No matching event arrived in time; the message lists the last events seen. */
export class EventTimeoutError extends Error {
  readonly type: EventType;
  readonly timeoutMs: number;
  readonly recent: { seq: number; type: string; service: string | null }[];

  constructor(type: EventType, timeoutMs: number, recent: Stored<NestorEvent>[], skipped: number) {
    const lines = recent.map((e) => ({ seq: e.seq, type: e.type, service: subjectOf(e) }));
    const listing = lines.length === 0 ? '  (no events)' : lines.map((l) => `  #${l.seq} ${l.type}${l.service === null ? '' : ` ${l.service}`}`).join('\n');
    super(`no matching ${type} event within ${timeoutMs} ms; last events seen (${skipped} skipped):\n${listing}`);
    this.name = 'EventTimeoutError';
    this.type = type;
    this.timeoutMs = timeoutMs;
    this.recent = lines;
  }
}

/** No state matching a condition was reached in time. */
export class StateTimeoutError extends Error {
  constructor(description: string, timeoutMs: number, state: State, recent: Stored<NestorEvent>[]) {
    const services = Object.values(state.services).map((s) => `  ${s.id}: ${s.state}${s.lastError ? ` (${s.lastError})` : ''}`);
    const events = recent.map((e) => `  #${e.seq} ${e.type}${subjectOf(e) === null ? '' : ` ${subjectOf(e)}`}`);
    super(`${description} not reached within ${timeoutMs} ms\nservices:\n${services.join('\n') || '  (none)'}\nlast events:\n${events.join('\n') || '  (none)'}`);
    this.name = 'StateTimeoutError';
  }
}

interface StateWaiter {
  check(state: State): boolean;
  resolve(state: State): void;
  reject(err: Error): void;
}

interface Waiter {
  matches(e: Stored<NestorEvent>): boolean;
  resolve(e: Stored<NestorEvent>): void;
  reject(err: Error): void;
}

const RECENT = 20;

/** Records the event stream of a bus from seq 1 until stopped. */
export class EventRecorder {
  readonly #events: Stored<NestorEvent>[] = [];
  readonly #skips: RecordedSkip[] = [];
  readonly #stats: DecodeStats = emptyDecodeStats();
  readonly #waiters = new Set<Waiter>();
  readonly #stateWaiters = new Set<StateWaiter>();
  #state: State = emptyState();
  readonly #abort = new AbortController();
  readonly #loop: Promise<void>;
  #lastSeq = 0;
  #failure: Error | null = null;

  constructor(bus: BusReader) {
    this.#loop = this.#run(bus);
  }

  /** Events recorded so far, in stream order. */
  events(): readonly Stored<NestorEvent>[] {
    return this.#events;
  }

  /** Messages skipped so far. */
  skipped(): readonly RecordedSkip[] {
    return this.#skips;
  }

  /** Decode counters. */
  stats(): DecodeStats {
    return this.#stats;
  }

  /** The last stream sequence processed (event or skip); 0 before the first. */
  lastSeq(): number {
    return this.#lastSeq;
  }

  /** The state reduced from every recorded event. */
  state(): State {
    return this.#state;
  }

  /** Resolves with the first state (now or later) for which `check` holds. */
  waitForState(description: string, check: (state: State) => boolean, opts: { timeoutMs?: number } = {}): Promise<State> {
    if (check(this.#state)) return Promise.resolve(this.#state);
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise<State>((resolve, reject) => {
      const settle = (fn: () => void): void => {
        clearTimeout(timer);
        this.#stateWaiters.delete(waiter);
        fn();
      };
      const waiter: StateWaiter = {
        check,
        resolve: (st) => settle(() => resolve(st)),
        reject: (err) => settle(() => reject(err)),
      };
      const timer = setTimeout(() => waiter.reject(new StateTimeoutError(description, timeoutMs, this.#state, this.#events.slice(-RECENT))), timeoutMs);
      this.#stateWaiters.add(waiter);
    });
  }

  /** The first recorded event of `type` after `since` that satisfies `predicate`. */
  waitFor<T extends EventType>(type: T, predicate?: (e: StoredOf<T>) => boolean, opts: WaitOptions = {}): Promise<StoredOf<T>> {
    const since = opts.since ?? 0;
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const matches = (e: Stored<NestorEvent>): boolean => e.seq > since && e.type === type && (predicate === undefined || predicate(e as StoredOf<T>));
    const found = this.#events.find(matches);
    if (found !== undefined) return Promise.resolve(found as StoredOf<T>);
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return new Promise<StoredOf<T>>((resolve, reject) => {
      const settle = (fn: () => void): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        fn();
      };
      const waiter: Waiter = {
        matches,
        resolve: (e) => settle(() => resolve(e as StoredOf<T>)),
        reject: (err) => settle(() => reject(err)),
      };
      const timer = setTimeout(() => waiter.reject(new EventTimeoutError(type, timeoutMs, this.#events.slice(-RECENT), this.#skips.length)), timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Stops following; pending waiters are rejected. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    this.#fail(new Error('the harness was closed while waiting for an event'));
  }

  async #run(bus: BusReader): Promise<void> {
    try {
      for await (const r of followEvents(bus, { signal: this.#abort.signal, stats: this.#stats })) {
        if (!r.ok) {
          this.#skips.push({ seq: r.seq, subject: r.subject, reason: r.reason, detail: r.detail });
          this.#lastSeq = r.seq;
          continue;
        }
        this.#events.push(r.event);
        this.#lastSeq = r.event.seq;
        this.#state = reduce(this.#state, r.event);
        for (const w of [...this.#waiters]) if (w.matches(r.event)) w.resolve(r.event);
        for (const w of [...this.#stateWaiters]) if (w.check(this.#state)) w.resolve(this.#state);
      }
    } catch (err) {
      if (!this.#abort.signal.aborted) this.#fail(new Error('the event recorder stopped', { cause: err }));
    }
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const w of [...this.#waiters]) w.reject(err);
    for (const w of [...this.#stateWaiters]) w.reject(err);
  }
}

function subjectOf(e: Stored<NestorEvent>): string | null {
  const data = e.data as { service?: unknown; node?: unknown };
  if (typeof data.service === 'string') return data.service;
  return typeof data.node === 'string' ? `node ${data.node}` : null;
}
