// createHarness: a disposable test fixture that boots exactly like production, so a test
// exercises the startup path users run (docs/architecture.md): the same loadConfig, in test
// mode (a unique .data-test dir, memory store, random ports), and the same bootNode as `nestor
// up` (bus → controller), with real services registered through register events. It records
// every event and reduces them into state.
import { rm } from 'node:fs/promises';
import { bootNode } from '../boot/index.ts';
import type { NodeHandle, RegisterOptions, RegisterResult } from '../boot/index.ts';
import { createEventFactory, requestCommand } from '../bus/index.ts';
import type { Bus, CommandResponse, PublishResult } from '../bus/index.ts';
import { loadConfig, loadProjectFile } from '../config/index.ts';
import type { CommandVerb } from '../events/index.ts';
import type { LogConsole } from '../process/index.ts';
import { getService } from '../state/index.ts';
import { selectStatusJson } from '../views/index.ts';
import type { LifecycleState, ServiceState, State } from '../state/index.ts';
import type { StatusJson } from '../views/index.ts';
import type { ConfigInput, NestorConfig, StoreKind } from '../config/index.ts';
import type { DecodeStats, Envelope, EventType, NestorEvent, PayloadOf, Stored } from '../events/index.ts';
import { writeEventLog } from './capture.ts';
import { startCli } from './cli-runner.ts';
import type { CliResult, CliRunOptions, CliSession } from './cli-runner.ts';
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
  /** A project to register at once (the parsed form of a nestor.yaml); or use `specs`. */
  project?: unknown;
  /** Services to register at once, as in a project file's `services:` block. */
  specs?: Record<string, unknown>;
  /** Selection and .dep options for the initial registration. */
  register?: RegisterOptions;
  /** Where service output goes; by default only to the log files under the data dir. */
  console?: LogConsole;
}

/** What a published event came back as. */
export interface Published<T extends EventType> extends PublishResult {
  event: Envelope<T, PayloadOf<T>>;
}

/** A running test fixture; dispose it with `await using` or `t.after(() => h.close())`. */
export interface Harness extends AsyncDisposable {
  readonly config: NestorConfig;
  /** The node's bus, client handles included: tests poke NATS directly (raw publishes, garbage). */
  readonly bus: Bus;
  readonly dataDir: string;
  /** The running node (controller included), exactly as `nestor up` boots it. */
  readonly node: NodeHandle;
  /** Validates and registers a project (the parsed form of a nestor.yaml). */
  register(project: unknown, opts?: RegisterOptions): Promise<RegisterResult>;
  /** The state reduced from every recorded event. */
  state(): State;
  /** One service's state; throws when it is not registered. */
  service(id: string): ServiceState;
  /** `nestor status --json` of the recorded state. */
  status(): StatusJson;
  /** Resolves once service `id` is in `state` (now or later); fails listing states and events. */
  waitForState(id: string, state: LifecycleState, opts?: { timeoutMs?: number }): Promise<ServiceState>;
  /** Resolves once `check` holds for the recorded state. */
  waitUntil(description: string, check: (state: State) => boolean, opts?: { timeoutMs?: number }): Promise<State>;
  /** Sends a command over the bus, the same request a CLI or UI sends. */
  command(verb: CommandVerb, service: string): Promise<CommandResponse>;
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
  /** Runs the real `nestor` CLI (bin/nestor.js, a child process) against this instance, found
   * through NESTOR_URL; the project folder is the harness's unless `opts.cwd` says otherwise. */
  cli(args: string[], opts?: CliRunOptions): Promise<CliResult>;
  /** Starts a CLI verb that keeps running (watch, events --follow, logs -f); stopped on close. */
  startCli(args: string[], opts?: CliRunOptions): CliSession;
  /** The variables that point a CLI or a script at this instance (NESTOR_URL, NESTOR_EVENTS_STREAM). */
  cliEnv(): Record<string, string>;
  /** Writes every event recorded so far (up to the stream's end when called) as JSON lines, the
   * format of `nestor events --json`; resolves with the number of events written. */
  captureLog(file: string): Promise<number>;
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
  let node: NodeHandle;
  try {
    node = await bootNode({ config, console: opts.console });
  } catch (err) {
    await rm(config.dataDir, { recursive: true, force: true });
    throw err;
  }
  const bus = node.bus;
  const recorder = new EventRecorder(bus);
  const makeEvent = createEventFactory({ node: config.node, component: 'harness' });
  const sessions = new Set<CliSession>();
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      try {
        await Promise.allSettled([...sessions].map((s) => s.interrupt()));
        await recorder.stop();
      } finally {
        try {
          // Stops every service process group, then the controller and the bus.
          await node.shutdown('harness closed');
        } finally {
          await rm(config.dataDir, { recursive: true, force: true });
        }
      }
    })());
  const requester = { node: config.node, component: 'harness' };
  const harness: Harness = {
    config,
    bus,
    node,
    dataDir: config.dataDir,
    register: (project, registerOpts) => node.register(project, registerOpts),
    state: () => recorder.state(),
    service(id) {
      const svc = getService(recorder.state(), id);
      if (svc === undefined) throw new Error(`service ${id} is not registered`);
      return svc;
    },
    status: () => selectStatusJson(recorder.state()),
    async waitForState(id, state, waitOpts) {
      const st = await recorder.waitForState(`${id} ${state}`, (s) => getService(s, id)?.state === state, waitOpts);
      return getService(st, id) as ServiceState;
    },
    waitUntil: (description, check, waitOpts) => recorder.waitForState(description, check, waitOpts),
    command: (verb, service) => requestCommand(bus, config.node, verb, { service, requestedBy: requester }),
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
    cli: (args, cliOpts) => harness.startCli(args, cliOpts).result,
    startCli(args, cliOpts = {}) {
      const session = startCli(args, { cwd: config.projectDir, ...cliOpts, env: { ...harness.cliEnv(), ...cliOpts.env } });
      sessions.add(session);
      void session.result.finally(() => sessions.delete(session)).catch(() => {});
      return session;
    },
    cliEnv: () => ({ NESTOR_URL: bus.natsUrl, NESTOR_EVENTS_STREAM: config.events.stream, NESTOR_DATA_DIR: config.dataDir }),
    async captureLog(file) {
      const last = await bus.lastSeq();
      if (recorder.lastSeq() < last) await recorder.waitForState(`the recorder at seq ${last}`, () => recorder.lastSeq() >= last);
      return writeEventLog(file, recorder.events());
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  try {
    const initial = await initialProject(opts, config.projectFile);
    if (initial !== undefined) await node.register(initial, opts.register);
  } catch (err) {
    await close();
    throw err;
  }
  return harness;
}

async function initialProject(opts: HarnessOptions, projectFile: string | null): Promise<unknown> {
  if (opts.project !== undefined) return opts.project;
  if (opts.specs !== undefined) return { services: opts.specs };
  if (projectFile !== null) return (await loadProjectFile(projectFile)).raw;
  return undefined;
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(keys.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
}
