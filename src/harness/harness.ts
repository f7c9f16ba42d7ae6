// createHarness: a disposable test fixture that boots exactly like production (principle 3,
// STYLE R11): the same loadConfig, in test mode (a unique .data-test dir, memory store, random
// ports), and the same connectBus, which launches a real nats-server. Later work extends it
// with the whole orchestrator; this core gives tests a bus, a publisher and an event recorder.
import { rm } from 'node:fs/promises';
import { connectBus, createEventFactory } from '../bus/index.ts';
import type { Bus, PublishResult } from '../bus/index.ts';
import { loadConfig } from '../config/index.ts';
import type { ConfigInput, NestorConfig, StoreKind } from '../config/index.ts';
import type { DecodeStats, Envelope, EventType, NestorEvent, PayloadOf, Stored } from '../events/index.ts';
import { EventRecorder } from './recorder.ts';
import type { RecordedSkip, StoredOf, WaitOptions } from './recorder.ts';

/** Options of {@link createHarness}. */
export interface HarnessOptions {
  /** Readable prefix of the data dir's name (the test's name, say). */
  name?: string;
  /** JetStream storage; memory by default, file to test persistence. */
  store?: StoreKind;
  /** More settings, as flags (they win over everything). */
  flags?: ConfigInput;
  /** Environment seen by loadConfig. By default only NESTOR_NATS_SERVER passes through, so a
   * developer's NESTOR_* settings cannot leak into tests. */
  env?: NodeJS.ProcessEnv;
  /** Project file to read; none by default. */
  projectFile?: string;
  /** Project dir under which `.data-test/` is made; the process's cwd by default. */
  cwd?: string;
}

/** What a published event came back as. */
export interface Published<T extends EventType> extends PublishResult {
  event: Envelope<T, PayloadOf<T>>;
}

/** A running test fixture; dispose it with `await using` or `t.after(() => h.close())`. */
export interface Harness extends AsyncDisposable {
  readonly config: NestorConfig;
  readonly bus: Bus;
  readonly dataDir: string;
  /** Builds an event (component `harness`) and publishes it. */
  publish<T extends EventType>(type: T, data: PayloadOf<T>): Promise<Published<T>>;
  /** Events recorded so far, in stream order. */
  events(): readonly Stored<NestorEvent>[];
  /** Messages skipped by the recorder (invalid JSON, unknown type, newer version, bad payload). */
  skipped(): readonly RecordedSkip[];
  decodeStats(): DecodeStats;
  /** Last stream sequence the recorder has processed. */
  lastSeq(): number;
  /** Resolves with the first recorded event of `type` (after `since`) matching `predicate`,
   * already recorded or arriving later; rejects with the last events seen on timeout. */
  waitForEvent<T extends EventType>(type: T, predicate?: (e: StoredOf<T>) => boolean, opts?: WaitOptions): Promise<StoredOf<T>>;
  /** Stops the recorder, closes the bus, stops the server, removes the data dir; idempotent. */
  close(): Promise<void>;
}

/** Boots a real bus in a fresh test data dir and starts recording its events. */
export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const env = opts.env ?? pick(process.env, ['NESTOR_NATS_SERVER']);
  const flags: ConfigInput = { ...opts.flags, nats: { ...opts.flags?.nats, ...(opts.store === undefined ? {} : { store: opts.store }) } };
  const config = await loadConfig({
    test: true,
    testName: opts.name ?? 'harness',
    env,
    flags,
    projectFile: opts.projectFile ?? null,
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
  });
  let bus: Bus;
  try {
    bus = await connectBus(config, { component: 'harness' });
  } catch (err) {
    await rm(config.dataDir, { recursive: true, force: true });
    throw err;
  }
  const recorder = new EventRecorder(bus);
  const makeEvent = createEventFactory({ node: config.node, component: 'harness' });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      try {
        await recorder.stop();
      } finally {
        try {
          await bus.close();
        } finally {
          await rm(config.dataDir, { recursive: true, force: true });
        }
      }
    })());
  return {
    config,
    bus,
    dataDir: config.dataDir,
    async publish(type, data) {
      const event = makeEvent(type, data);
      const ack = await bus.publish(event as NestorEvent);
      return { event, ...ack };
    },
    events: () => recorder.events(),
    skipped: () => recorder.skipped(),
    decodeStats: () => recorder.stats(),
    lastSeq: () => recorder.lastSeq(),
    waitForEvent: (type, predicate, waitOpts) => recorder.waitFor(type, predicate, waitOpts),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(keys.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
}
