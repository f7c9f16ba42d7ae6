// The run registry (a shell of the node): the rules of src/runs/core applied to records in the
// run bucket. Operations on one run are serialized (a queue per id) and those on different runs
// run concurrently. Operations that queue up while a write is in flight are applied together
// and written once, with the revision the registry already holds; the record is read again only
// when that compare-and-set is refused (another node wrote). Every node watches the bucket, so
// each knows every run, and a ticker escalates the health of silent runs: the compare-and-set
// lets one node write each escalation, the others find it done when they read again.
import type { NestorEvent } from '../events/index.ts';
import {
  RecordTooLargeError,
  RunError,
  ackCommand,
  attach,
  checkRunId,
  escalate,
  existingRun,
  finish,
  forceTerminate,
  healthAt,
  healthRank,
  heartbeat,
  isFinished,
  newRun,
  nextCommand,
  recordTooLarge,
  requireRun,
  runNotFound,
  sendCommand,
  setHealth,
} from './core/index.ts';
import { HeartbeatSampler } from './heartbeat-sampler.ts';
import { generateCommandId, generateRunId } from './ids.ts';
import type {
  CommandInput,
  RunCommandResult,
  CreateRunInput,
  FinishInput,
  HeartbeatInput,
  Outcome,
  Run,
  RunBinding,
  RunCommand,
  RunEventDraft,
  RunListFilter,
  RunPage,
} from './core/index.ts';

/** The bucket as the registry needs it (src/bus openRunStore gives one). */
export interface RunRecords {
  get(key: string): Promise<{ value: unknown; revision: number } | null>;
  /** Rejects with RecordTooLargeError when the record is larger than the bucket can hold (so does update). */
  create(key: string, value: unknown): Promise<{ ok: true; revision: number } | { ok: false; reason: string }>;
  update(key: string, value: unknown, expectedRevision: number): Promise<{ ok: true; revision: number } | { ok: false; reason: string }>;
  watch(
    onChange: (c: { key: string; revision: number; deleted: boolean; read(): unknown }) => void,
    onError?: (err: unknown) => void,
  ): Promise<{ ready: Promise<void>; stop(): void }>;
}

/** Options of {@link startRunRegistry}. */
export interface RunRegistryOptions {
  records: RunRecords;
  /** Stamps an event (id, time, origin) from its type and payload. */
  event(draft: RunEventDraft): NestorEvent;
  publish(event: NestorEvent): Promise<unknown>;
  /** Wakes the SDK of a run waiting for commands. */
  wake(runId: string): void;
  now?: () => Date;
  /** At most one heartbeat event per run per this many ms (default 1 s); the record takes every heartbeat. */
  heartbeatEventMs?: number;
  /** At most this many heartbeat events a second from this node, all runs together (default 100): with more runs heartbeating, each run's events are further apart. */
  heartbeatEventsPerSecond?: number;
  /** Longest pause between health checks (default 1 s; shorter for runs with short intervals). */
  tickMs?: number;
  onError?(err: unknown): void;
}

const KEY_PREFIX = 'run.';
const DEFAULT_LIMIT = 100;
// Well under the broker's default 1 MiB message limit, which a list answer over the bus must fit.
const LIST_BYTES = 512 * 1024;
// About 35 KB/s of heartbeat events: the default 256 MiB stream holds two hours of them.
const DEFAULT_HEARTBEAT_EVENTS_PER_SECOND = 100;
// Compare-and-set attempts before an operation gives up (each follows a fresh read).
const CAS_ATTEMPTS = 20;

interface Cached {
  run: Run;
  revision: number;
}

interface Pending {
  apply(run: Run | null, now: Date): Outcome<unknown>;
  wake: boolean;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** Starts a registry: opens the watch and the health ticker; resolves once every stored run is known. */
export async function startRunRegistry(opts: RunRegistryOptions): Promise<RunRegistry> {
  const registry = new RunRegistry(opts);
  await registry.start();
  return registry;
}

/** The registry of runs of the cluster. Errors are RunError with a code (invalid, not_found, conflict, finished). */
export class RunRegistry {
  readonly #opts: RunRegistryOptions;
  readonly #now: () => Date;
  readonly #cache = new Map<string, Cached>();
  readonly #queues = new Map<string, Pending[]>();
  readonly #escalating = new Set<string>();
  readonly #draining = new Set<Promise<void>>();
  readonly #publishing = new Set<Promise<void>>();
  readonly #listeners = new Set<(run: Run, previous: Run | undefined) => void>();
  readonly #sampler: HeartbeatSampler;
  #watch: { ready: Promise<void>; stop(): void } | null = null;
  #timer: NodeJS.Timeout | null = null;
  #tickDelay = Infinity;
  #closed = false;

  constructor(opts: RunRegistryOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => new Date());
    this.#sampler = new HeartbeatSampler({
      windowMs: opts.heartbeatEventMs ?? 1_000,
      perSecond: opts.heartbeatEventsPerSecond ?? DEFAULT_HEARTBEAT_EVENTS_PER_SECOND,
      publish: (events) => this.#publish(events),
    });
  }

  /** Opens the watch of the bucket and starts the health ticker. */
  async start(): Promise<void> {
    this.#watch = await this.#opts.records.watch(
      (c) => this.#onChange(c),
      (err) => this.#opts.onError?.(err),
    );
    await this.#watch.ready;
    this.#schedule();
  }

  /** Registers a run (queued). A chosen id that exists answers that run when the experiment matches. */
  async create(input: CreateRunInput, binding: RunBinding | null, _by = 'api'): Promise<Run> {
    const id = input.id ?? generateRunId(this.#now());
    return this.#mutate<Run>(id, false, (run, now) => (run === null ? newRun(id, input, binding, now) : existingRun(run, input)));
  }

  /** The record of a run (one read of the bucket). */
  async get(id: string): Promise<Run> {
    checkRunId(id);
    const stored = await this.#opts.records.get(KEY_PREFIX + id);
    if (stored === null) throw runNotFound(id);
    const run = stored.value as Run;
    this.#remember(id, run, stored.revision);
    return run;
  }

  /** Runs matching the filter, in id order, a page at a time. */
  async list(filter: RunListFilter = {}): Promise<RunPage> {
    await this.#watch?.ready;
    const limit = filter.limit ?? DEFAULT_LIMIT;
    const ids = [...this.#cache.keys()].filter((id) => filter.after === undefined || id > filter.after).sort();
    const runs: Run[] = [];
    let next: string | null = null;
    let bytes = 0;
    for (const id of ids) {
      const run = (this.#cache.get(id) as Cached).run;
      if (filter.state !== undefined && run.state !== filter.state) continue;
      if (filter.health !== undefined && run.health !== filter.health) continue;
      if (filter.experiment !== undefined && run.experiment !== filter.experiment) continue;
      // A page also ends before it outgrows one bus message (runs with long audit lists).
      bytes += JSON.stringify(run).length;
      if (runs.length === limit || (runs.length > 0 && bytes > LIST_BYTES)) {
        next = runs[runs.length - 1]?.id ?? null;
        break;
      }
      runs.push(run);
    }
    return { runs, next };
  }

  /** Takes a heartbeat (step and checkpointVersion never go backwards). */
  heartbeat(id: string, input: HeartbeatInput): Promise<Run> {
    return this.#mutate<Run>(id, false, (run, now) => heartbeat(requireRun(run, id), input, now));
  }

  /** Ends a run as its job reports (succeeded or failed). */
  finish(id: string, input: FinishInput): Promise<Run> {
    return this.#mutate<Run>(id, false, (run, now) => finish(requireRun(run, id), input, now));
  }

  /** Queues a command; an id sent before answers the first command, created false. */
  sendCommand(id: string, input: CommandInput, by: string): Promise<RunCommandResult> {
    const commandId = input.id ?? generateCommandId(this.#now());
    return this.#mutate<RunCommandResult>(id, true, (run, now) => sendCommand(requireRun(run, id), input, commandId, by, now));
  }

  /** The oldest undelivered command, stamped delivered; with redeliver, the oldest delivered and unacknowledged first. Null: none. */
  nextCommand(id: string, opts: { redeliver?: boolean } = {}): Promise<RunCommand | null> {
    return this.#mutate<RunCommand | null>(id, false, (run, now) => nextCommand(requireRun(run, id), opts.redeliver === true, now));
  }

  /** Acknowledges a command; the state follows (pause, resume, terminate) and tune merges its params. */
  ack(id: string, commandId: string): Promise<RunCommand> {
    checkRunId(commandId, 'commandId');
    return this.#mutate<RunCommand>(id, false, (run, now) => ackCommand(requireRun(run, id), commandId, now));
  }

  /** Binds a run to the instance and process that run it now. */
  attach(id: string, binding: RunBinding): Promise<Run> {
    return this.#mutate<Run>(id, false, (run) => attach(requireRun(run, id), binding));
  }

  /** Marks a run lost at once (its process is gone); the next heartbeat makes it healthy again. */
  markLost(id: string, reason: string): Promise<Run> {
    return this.#mutate<Run>(id, false, (run, now) => {
      const r = requireRun(run, id);
      return isFinished(r.state) ? { run: r, events: [], result: r } : setHealth(r, 'lost', reason, now);
    });
  }

  /** Ends a run whose terminate went unacknowledged (its process was stopped through the supervisor). */
  markTerminated(id: string, reason: string): Promise<Run> {
    return this.#mutate<Run>(id, false, (run, now) => forceTerminate(requireRun(run, id), reason, now));
  }

  /** The runs this node knows (from its watch of the bucket), for the node's own effects. */
  known(): Run[] {
    return [...this.#cache.values()].map((c) => c.run);
  }

  /** Calls `listener` with each newer record this node learns (its own writes and the watch's); returns the unsubscribe. */
  subscribe(listener: (run: Run, previous: Run | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops the ticker and the watch; operations in flight finish. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#watch?.stop();
    await Promise.allSettled([...this.#draining]);
    this.#sampler.flush();
    await Promise.allSettled([...this.#publishing]);
  }

  #onChange(c: { key: string; revision: number; deleted: boolean; read(): unknown }): void {
    if (!c.key.startsWith(KEY_PREFIX)) return;
    const id = c.key.slice(KEY_PREFIX.length);
    if (c.deleted) {
      this.#cache.delete(id);
      return;
    }
    // This node's own writes come back through the watch: already known, not decoded again.
    if ((this.#cache.get(id)?.revision ?? 0) >= c.revision) return;
    const value = c.read();
    if (typeof value === 'object' && value !== null) this.#remember(id, value as Run, c.revision);
  }

  #remember(id: string, run: Run, revision: number): void {
    const known = this.#cache.get(id);
    if (known !== undefined && known.revision >= revision) return;
    this.#cache.set(id, { run, revision });
    for (const listener of this.#listeners) {
      try {
        listener(run, known?.run);
      } catch (err) {
        this.#opts.onError?.(err);
      }
    }
    // A run with a shorter interval than any before is checked at its pace from now on.
    if (!isFinished(run.state) && run.heartbeatIntervalMs / 2 < this.#tickDelay) this.#schedule();
  }

  // Queues an operation on one run; the first in line drains the queue.
  #mutate<T>(id: string, wake: boolean, apply: (run: Run | null, now: Date) => Outcome<T>): Promise<T> {
    try {
      checkRunId(id);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#closed) return Promise.reject(new RunError('internal', 'the run registry of this node is closed'));
    return new Promise<T>((resolve, reject) => {
      const op: Pending = { apply, wake, resolve: resolve as (v: unknown) => void, reject };
      const queue = this.#queues.get(id);
      if (queue !== undefined) {
        queue.push(op);
        return;
      }
      this.#queues.set(id, [op]);
      const draining = this.#drain(id);
      this.#draining.add(draining);
      void draining.finally(() => this.#draining.delete(draining));
    });
  }

  async #drain(id: string): Promise<void> {
    const queue = this.#queues.get(id) as Pending[];
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, queue.length);
        await this.#commit(id, batch).catch(async (err: unknown) => {
          if (err instanceof RunError && err.code === 'too_large' && batch.length > 1) {
            // One operation outgrew the record: the others are applied on their own.
            for (const op of batch) await this.#commit(id, [op]).catch((e: unknown) => op.reject(e));
            return;
          }
          for (const op of batch) op.reject(err);
        });
      }
    } finally {
      this.#queues.delete(id);
    }
  }

  // Applies a batch to the record and writes it once; a refused compare-and-set rereads and applies again.
  async #commit(id: string, batch: Pending[]): Promise<void> {
    const key = KEY_PREFIX + id;
    let base: Cached | null = this.#cache.get(id) ?? null;
    if (base === null) {
      const stored = await this.#opts.records.get(key);
      base = stored === null ? null : { run: stored.value as Run, revision: stored.revision };
    }
    for (let attempt = 1; ; attempt++) {
      const now = this.#now();
      let run: Run | null = base?.run ?? null;
      const events: RunEventDraft[] = [];
      const results: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
      let wake = false;
      for (const op of batch) {
        try {
          const out = op.apply(run, now);
          if (out.run !== run) {
            run = out.run;
            wake ||= op.wake && out.events.length > 0;
          }
          events.push(...out.events);
          results.push({ ok: true, value: out.result });
        } catch (err) {
          results.push({ ok: false, err });
        }
      }
      if (run !== null && run !== (base?.run ?? null)) {
        const write = await (base === null ? this.#opts.records.create(key, run) : this.#opts.records.update(key, run, base.revision)).catch((err: unknown) => {
          throw err instanceof RecordTooLargeError ? recordTooLarge(base?.run ?? (run as Run), err) : err;
        });
        if (!write.ok) {
          if (attempt >= CAS_ATTEMPTS) throw new RunError('conflict', `run ${id} is being changed by others; retry`);
          const stored = await this.#opts.records.get(key);
          base = stored === null ? null : { run: stored.value as Run, revision: stored.revision };
          continue;
        }
        this.#remember(id, run, write.revision);
        // The record is the truth and is written; the events tell its history (heartbeats as
        // samples, see HeartbeatSampler), stamped now and not waited for.
        this.#sampler.take(id, events.map((d) => this.#opts.event(d)));
        if (wake) this.#opts.wake(id);
      }
      batch.forEach((op, i) => {
        const r = results[i] as { ok: true; value: unknown } | { ok: false; err: unknown };
        if (r.ok) op.resolve(r.value);
        else op.reject(r.err);
      });
      return;
    }
  }

  // Events leave in call order on one connection, so the stream keeps a run's events in the
  // order they happened; they are not waited for (one round trip less per operation).
  #publish(events: NestorEvent[]): void {
    const published = Promise.all(events.map((e) => this.#opts.publish(e)))
      .then(() => undefined)
      .catch((err: unknown) => this.#opts.onError?.(err));
    this.#publishing.add(published);
    void published.finally(() => this.#publishing.delete(published));
  }

  #schedule(): void {
    if (this.#closed || this.#watch === null) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    let shortest = this.#opts.tickMs ?? 1_000;
    for (const { run } of this.#cache.values()) if (!isFinished(run.state)) shortest = Math.min(shortest, run.heartbeatIntervalMs / 2);
    this.#tickDelay = Math.max(5, shortest);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#tick();
      this.#schedule();
    }, this.#tickDelay);
    this.#timer.unref();
  }

  // Escalates every silent run this node knows; one escalation per run at a time.
  #tick(): void {
    const now = this.#now();
    for (const [id, { run }] of this.#cache) {
      if (this.#escalating.has(id) || healthRank(healthAt(run, now)) <= healthRank(run.health)) continue;
      this.#escalating.add(id);
      void this.#mutate<Run>(id, false, (r, at) => escalate(requireRun(r, id), at))
        .catch((err: unknown) => this.#opts.onError?.(err))
        .finally(() => this.#escalating.delete(id));
    }
  }
}
