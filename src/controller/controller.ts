// The controller shell: one serial loop that feeds inputs to decide() and performs the effects
// it returns, in order. Publishing is awaited inside the loop so the stream holds events in the
// order they were decided; spawning and stopping run concurrently and report back as inputs.
import { Outbox, createEventFactory } from '../bus/index.ts';
import type { BusWriter, CommandResponse, EmbeddedCredentials } from '../bus/index.ts';
import type { CommandVerb, EventType, PayloadOf } from '../events/index.ts';
import type { LogConsole } from '../process/index.ts';
import type { SecretEnv } from '../spec/index.ts';
import { decide, initialControllerState } from './core/index.ts';
import type { ControllerState, Effect, Input } from './core/index.ts';
import { CommandServer } from './command-server.ts';
import { PidRegistry } from './pid-registry.ts';
import { RegistrationWatcher } from './registrations.ts';
import { ServiceRunner } from './service-runner.ts';
import { WatchSupervisor } from './watch.ts';

/** What a controller needs from its node. */
export interface ControllerOptions {
  bus: BusWriter;
  node: string;
  projectDir: string;
  dataDir: string;
  console?: LogConsole;
  /** Time source and jitter source; real ones by default. */
  now?: () => number;
  jitter?: () => number;
  /** Reports errors of the shell itself (a failed publish, a bad runner state). */
  onError?(err: unknown): void;
  /** Operational warnings for a person (the broker is unreachable, events are held). */
  onWarning?(message: string): void;
  /** The address other nodes reach this node's services at. */
  address?: string;
  /** Ports and hosts of services on other nodes, for {services.<id>.*} placeholders. */
  peerEndpoints?(): Record<string, { ports: Record<string, number>; host: string }>;
  /** Real values of the secrets this node masked in its register events. */
  secretEnv?: SecretEnv;
}

/** The longest delay setTimeout takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Outbox backlog above which new spawns wait for it to drain. */
const SPAWN_BACKLOG_LIMIT = 1_000;

/** At most 100 issues per rejection, so a hostile spec cannot make the event exceed max_payload. */
function capIssues(errors: { path: string; expected: string; got?: unknown }[]): { path: string; expected: string; got?: unknown }[] {
  const MAX = 100;
  if (errors.length <= MAX) return errors;
  return [...errors.slice(0, MAX), { path: '(more)', expected: 'fewer problems', got: `${errors.length - MAX} more not listed` }];
}

/** Waits for the events before a reply to be stored, but not forever: the broker may be gone. */
function settledOrLate(published: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)));
  return Promise.race([published, late]).finally(() => clearTimeout(timer));
}

function natsEnvOf(creds: EmbeddedCredentials | null): Record<string, string> {
  if (creds === null) return {};
  return 'token' in creds ? { NESTOR_NATS_TOKEN: creds.token } : { NESTOR_NATS_USER: creds.user, NESTOR_NATS_PASS: creds.pass };
}

/** A command's answer as sent to the requester. */
export type CommandReply = CommandResponse;

/** Supervises the services registered for one node. */
export class Controller {
  private state: ControllerState = initialControllerState();
  private readonly queue: Input[] = [];
  private draining = false;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Timers of scheduled runs, one per service, apart from the restart timers. */
  private readonly runTimers = new Map<string, NodeJS.Timeout>();
  private readonly replies = new Map<string, (reply: CommandReply) => void>();
  private readonly runner: ServiceRunner;
  private readonly pids: PidRegistry;
  private readonly registrations: RegistrationWatcher;
  private readonly commands: CommandServer;
  private readonly watches: WatchSupervisor;
  private readonly emit: (type: EventType, data: unknown) => Promise<void>;
  private readonly outbox: Outbox;
  private shutdownDone: Promise<void> | null = null;
  private resolveShutdown: () => void = () => {};
  private nextRequest = 0;
  private releasedHook: (key: string) => void = () => {};
  private readonly now: () => number;
  private readonly jitter: () => number;
  private readonly onError: (err: unknown) => void;

  constructor(private readonly opts: ControllerOptions) {
    this.now = opts.now ?? Date.now;
    this.jitter = opts.jitter ?? Math.random;
    this.onError = opts.onError ?? ((err) => console.error('nestor controller:', err));
    const events = createEventFactory({ node: opts.node, component: 'controller' });
    // Every event of this node goes through one outbox, so the stream holds them in the order
    // they were emitted, whether they come from decide() or straight from the runner; no
    // decision waits for a broker round trip before its processes are spawned or signalled; and
    // a broker outage holds events (bounded) instead of losing them.
    this.outbox = new Outbox(opts.bus, { onWarning: opts.onWarning, onError: this.onError });
    this.emit = async (type, data) => {
      await this.outbox.enqueue(events(type as never, data as never));
    };
    this.pids = new PidRegistry(PidRegistry.pathIn(opts.dataDir));
    this.runner = new ServiceRunner({
      node: opts.node,
      projectDir: opts.projectDir,
      dataDir: opts.dataDir,
      natsUrl: opts.bus.natsUrl,
      natsEnv: natsEnvOf(opts.bus.credentials ?? null),
      pids: this.pids,
      console: opts.console,
      baseEnv: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
      dispatch: (input) => this.dispatch(input),
      address: opts.address,
      peerEndpoints: opts.peerEndpoints,
      ...(opts.secretEnv !== undefined ? { secretEnv: opts.secretEnv } : {}),
      publish: <T extends EventType>(type: T, data: PayloadOf<T>) => this.emit(type, data),
      onError: this.onError,
    });
    this.registrations = new RegistrationWatcher(opts.bus, opts.node, {
      onRegistered: (input) => {
        // A placed service is the scheduler's (it reads every node's registrations); one that
        // ran here without placement and now has one gives its local instances up to it.
        if (input.spec.placement === undefined) return this.registerLocal(input);
        for (const svc of Object.values(this.state.services)) {
          if (svc.service === input.spec.id && svc.spec.placement === undefined) this.dispatch({ kind: 'release', service: svc.id, reason: 'placed now', retire: false });
        }
      },
      onRejected: (service, errors) =>
        this.emit('orchestrator.service.register.rejected', { service, errors: capIssues(errors) }).catch(this.onError),
      onError: this.onError,
    });
    this.commands = new CommandServer(opts.bus, opts.node, (verb, service, requestedBy) =>
      this.command(verb, service, requestedBy),
    );
    this.watches = new WatchSupervisor({
      node: opts.node,
      projectDir: opts.projectDir,
      dataDir: opts.dataDir,
      state: () => this.state,
      command: (verb, key, by) => this.command(verb, key, by),
      publish: (type, data) => this.emit(type, data),
      onError: this.onError,
    });
  }

  /** Starts listening for registrations and commands. */
  async start(): Promise<void> {
    await this.registrations.start();
    this.commands.start();
  }

  /** Called with an instance's key once it was released and its process group is gone (its claim may move on). */
  onReleased(hook: (key: string) => void): void {
    this.releasedHook = hook;
  }

  /** Record keys of the instances supervised here that run where they were registered (no placement). */
  localInstances(): string[] {
    return Object.values(this.state.services)
      .filter((s) => s.spec.placement === undefined)
      .map((s) => s.id);
  }

  /** Queues an input for decide(). */
  dispatch(input: Input): void {
    this.queue.push(input);
    if (!this.draining) this.drain();
  }

  /**
   * Runs instances 1..replicas of a service without placement here, and retires the instances a
   * smaller replica count leaves over (each stops first).
   */
  registerLocal(input: Extract<Input, { kind: 'registered' }>): void {
    const replicas = input.spec.replicas;
    for (let instance = 1; instance <= replicas; instance++) this.dispatch({ ...input, instance });
    for (const svc of Object.values(this.state.services)) {
      if (svc.service === input.spec.id && svc.instance > replicas) this.dispatch({ kind: 'release', service: svc.id, reason: 'scaled down', retire: true });
    }
  }

  /** Sends a command through the same path as a remote request and waits for its answer. */
  command(verb: CommandVerb, service: string, requestedBy = { node: this.opts.node, component: 'controller' }): Promise<CommandReply> {
    const requestId = `r${++this.nextRequest}`;
    return new Promise((resolve) => {
      this.replies.set(requestId, resolve);
      this.dispatch({ kind: 'command', verb, service, requestedBy, requestId });
    });
  }

  /** Pids of the service processes running now (the leaders of their process groups). */
  runningPids(): Record<string, number> {
    return this.runner.pids();
  }

  /** logging.format of a service this node runs (by record key), for the log views. */
  logFormat(key: string): 'text' | 'json' | undefined {
    return this.state.services[key]?.spec.logging.format;
  }

  /** A read-only view of the model (for status and tests); its services map changes with the next input, so read it at once. */
  snapshot(): ControllerState {
    return this.state;
  }

  /** Stops every service (dependents first) and resolves once all process groups are gone. */
  shutdown(): Promise<void> {
    if (this.shutdownDone === null) {
      this.shutdownDone = new Promise((resolve) => (this.resolveShutdown = resolve));
      // A change during the shutdown must not start anything again.
      this.watches.stop();
      this.dispatch({ kind: 'shutdown' });
    }
    return this.shutdownDone;
  }

  /** Stops listening; call after shutdown(). */
  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const t of this.runTimers.values()) clearTimeout(t);
    this.runTimers.clear();
    await this.watches.close();
    await this.outbox.close();
    await this.commands.stop();
    await this.registrations.stop();
    this.pids.close();
  }

  private drain(): void {
    this.draining = true;
    try {
      for (let input = this.queue.shift(); input !== undefined; input = this.queue.shift()) {
        const { next, effects } = decide(this.state, input, { nowMs: this.now(), jitter: this.jitter(), handOver: true });
        this.state = next;
        let published: Promise<void> = Promise.resolve();
        for (const effect of effects) {
          if (effect.kind === 'publish') published = this.emit(effect.type, effect.data).catch(() => {});
          // Replies and the shutdown signal wait until the events before them are stored, so
          // whoever hears them can read those events back.
          // A release is announced once the exit before it is stored too: the instance's claim
          // goes to another node next, whose facts must come after this node's last ones.
          else if (effect.kind === 'reply' || effect.kind === 'shutdownComplete' || effect.kind === 'released') void settledOrLate(published).then(() => this.perform(effect));
          else this.perform(effect);
        }
      }
    } finally {
      this.draining = false;
    }
    this.watches.changed();
  }

  private perform(effect: Exclude<Effect, { kind: 'publish' }>): void {
    try {
      this.performUnsafe(effect);
    } catch (err) {
      this.onError(err);
    }
  }

  private performUnsafe(effect: Exclude<Effect, { kind: 'publish' }>): void {
    switch (effect.kind) {
      case 'reply': {
        const reply = this.replies.get(effect.requestId);
        this.replies.delete(effect.requestId);
        reply?.(effect.ok ? { ok: true, message: effect.message } : { ok: false, code: effect.code, message: effect.message });
        return;
      }
      case 'spawn': {
        const svc = Object.hasOwn(this.state.services, effect.service) ? this.state.services[effect.service] : undefined;
        if (svc === undefined) return;
        const { spec, instance } = svc;
        // Backpressure: a crash loop faster than the broker stores its events waits for the
        // outbox to drain instead of overflowing it (every exit must stay an event).
        if (this.outbox.backlog() > SPAWN_BACKLOG_LIMIT) {
          void this.outbox.below(SPAWN_BACKLOG_LIMIT / 10).then(() => this.runner.spawn(spec, effect.attempt, instance));
        } else void this.runner.spawn(spec, effect.attempt, instance);
        return;
      }
      case 'released':
        return this.releasedHook(effect.service);
      case 'signal':
        return this.runner.stop(effect.service, effect.signal, effect.timeoutMs);
      case 'scheduleRestart': {
        this.clearTimer(effect.service);
        const timer = setTimeout(() => {
          this.timers.delete(effect.service);
          this.dispatch({ kind: 'restartDue', service: effect.service });
        }, effect.delayMs);
        this.timers.set(effect.service, timer);
        return;
      }
      case 'cancelRestart':
        return this.clearTimer(effect.service);
      case 'scheduleRun': {
        this.clearRunTimer(effect.service);
        // setTimeout holds at most 2^31-1 ms; a later time fires early and decide() sets it again.
        const delayMs = Math.min(MAX_TIMER_MS, Math.max(0, effect.atMs - this.now()));
        const timer = setTimeout(() => {
          this.runTimers.delete(effect.service);
          this.dispatch({ kind: 'runDue', service: effect.service, atMs: effect.atMs });
        }, delayMs);
        this.runTimers.set(effect.service, timer);
        return;
      }
      case 'cancelRun':
        return this.clearRunTimer(effect.service);
      case 'shutdownComplete':
        return this.resolveShutdown();
    }
  }

  private clearRunTimer(service: string): void {
    const t = this.runTimers.get(service);
    if (t !== undefined) clearTimeout(t);
    this.runTimers.delete(service);
  }

  private clearTimer(service: string): void {
    const t = this.timers.get(service);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(service);
  }
}
