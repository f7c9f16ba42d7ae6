// The runs SDK: a long job (a training, a batch) registers itself as a run, reports heartbeats
// and receives control commands, over NATS request/reply on `nestor.runs.<op>` (any node
// answers), so a job needs no HTTP port. docs/runs-sdk.md is the user's guide.
//
// Commands are pulled, not pushed: the registry keeps them in the run's record (durable across
// restarts of the job and of the node) and publishes an empty wake-up on
// `nestor.runs.wake.<id>` when one is sent; the SDK then asks for the next one at once, and also
// polls about once per heartbeat interval in case a wake-up was missed (core NATS drops
// messages for a disconnected client).
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { runWakeSubject, runsRequestSubject } from '../events/subjects.ts';
import type { CreateRunInput, FinishInput, HeartbeatInput, Run, RunBinding, RunCommandType, RunErrorCode, RunOp, RunSummary } from '../runs/core/types.ts';
import { connectFromEnv } from './register.ts';
import type { ConnectOptions } from './register.ts';
import { readServiceEnv } from './env.ts';
import { SdkError } from './errors.ts';

/** Subject prefix of the registry's requests (`nestor.runs.<op>`). */
export const RUNS_SUBJECT = runsRequestSubject('').slice(0, -1);
export { runWakeSubject };

/** Operations of the registry's bus requests. */
export type RunsOp = RunOp;
/** Error codes of a refused request (the registry's), `unavailable` when no node answered. */
export type RunsErrorCode = RunErrorCode | 'unavailable';

/** A registry request refused or unanswered; `code` is the registry's code, `unavailable` when no node answered. */
export class RunRequestError extends SdkError {
  constructor(
    readonly op: RunsOp,
    readonly code: RunsErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super('run-request', `${op}: ${code}: ${message}`, options);
    this.name = 'RunRequestError';
  }
}

/** What startRun asks for. */
export interface StartRunOptions extends CreateRunInput {
  /** pause/resume also SIGSTOP/SIGCONT this job's process group (default false). */
  processControl?: boolean;
  /** How long a `terminate` may stay unacknowledged before the supervisor stops the process (ms). */
  terminateGraceMs?: number;
  /** Environment to read the binding from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Request timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Who the run's commands and changes are attributed to (default "sdk"). */
  by?: string;
}

/** One command handed to the job; `ack()` tells the registry it was applied (state changes follow acks). */
export interface RunCommandDelivery {
  id: string;
  type: RunCommandType;
  params: Record<string, unknown>;
  ack(): Promise<void>;
}

/** A started (or re-attached) run. */
export interface RunHandle {
  readonly id: string;
  /** The run's record as the registry returned it at start: a restarted job continues from its step, checkpointVersion and params. */
  readonly record: Run;
  /** True when startRun found an unfinished run of this instance and experiment and attached to it. */
  readonly attached: boolean;
  /** Reports progress; step and checkpointVersion never go backwards (RunRequestError `conflict`). */
  heartbeat(input: HeartbeatInput): Promise<Run>;
  /** The run's commands, each once per handle, until close(), finish() or the run ends. */
  commands(): AsyncIterableIterator<RunCommandDelivery>;
  /** Reports the run's end. */
  finish(input: FinishInput): Promise<Run>;
  /** Stops the command iterators; closes the connection when startRun opened it. */
  close(): Promise<void>;
}

/** A connection, or the options to open one from the service environment. */
export type RunConnection = NatsConnection | (ConnectOptions & { nc?: undefined });

/**
 * Starts a run: with `id`, creates it (or returns the existing run of that id); without, attaches
 * to the newest unfinished run of this service instance and experiment if there is one, else
 * creates one. Inside a Nestor service the binding (node, instance, service, pid) comes from the
 * environment, so the node can pause, resume and stop the process.
 */
export async function startRun(options: StartRunOptions): Promise<RunHandle>;
export async function startRun(conn: RunConnection, options: StartRunOptions): Promise<RunHandle>;
export async function startRun(first: RunConnection | StartRunOptions, second?: StartRunOptions): Promise<RunHandle> {
  // One argument: the run's options, the connection from the same environment (NESTOR_NATS_URL).
  const [conn, options]: [RunConnection, StartRunOptions] =
    second === undefined ? [{ ...((first as StartRunOptions).env === undefined ? {} : { env: (first as StartRunOptions).env }) }, first as StartRunOptions] : [first as RunConnection, second];
  const owned = !isConnection(conn);
  const nc = isConnection(conn) ? conn : await connectFromEnv(conn);
  try {
    const client = new RunsClient(nc, options.timeoutMs ?? 5000, options.by ?? 'sdk');
    const binding = bindingFromEnv(options.env ?? process.env, options.processControl ?? false);
    const { record, attached } = await openRun(client, options, binding);
    return new Handle(client, record, attached, owned);
  } catch (err) {
    if (owned) await nc.close().catch(() => {});
    throw err;
  }
}

/** The binding of a job started by Nestor (null outside a Nestor service). */
export function bindingFromEnv(env: NodeJS.ProcessEnv, processControl: boolean, pid = process.pid): RunBinding | null {
  const e = readServiceEnv(env);
  if (e.service === undefined || e.node === undefined) return null;
  return { node: e.node, instance: instanceKeyOf(e.instance, e.service), service: e.service, pid, processControl };
}

// NESTOR_INSTANCE is the name users see (`svc@1`); runs store the record key (`svc`, `svc@2`).
function instanceKeyOf(name: string | undefined, service: string): string {
  const m = name === undefined ? null : /^(.+)@([1-9][0-9]*)$/.exec(name);
  if (m === null) return service;
  return m[2] === '1' ? (m[1] as string) : `${m[1]}@${m[2]}`;
}

async function openRun(client: RunsClient, options: StartRunOptions, binding: RunBinding | null): Promise<{ record: Run; attached: boolean }> {
  const input: CreateRunInput & { terminateGraceMs?: number } = {
    experiment: options.experiment,
    version: options.version,
    ...(options.params === undefined ? {} : { params: options.params }),
    ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
    ...(options.terminateGraceMs === undefined ? {} : { terminateGraceMs: options.terminateGraceMs }),
    ...(options.id === undefined ? {} : { id: options.id }),
  };
  if (input.id === undefined && binding !== null) {
    const earlier = await findUnfinished(client, options.experiment, binding);
    if (earlier !== null) return { record: await client.request<Run>('attach', { id: earlier, body: binding }), attached: true };
  }
  if (input.id !== undefined && binding !== null) {
    // A restarted job that names its run re-binds it to its new process.
    const existing = await client.request<Run>('get', { id: input.id }).catch((err: unknown) => {
      if (err instanceof RunRequestError && err.code === 'not_found') return null;
      throw err;
    });
    if (existing !== null && existing.finishedAt === null) return { record: await client.request<Run>('attach', { id: input.id, body: binding }), attached: true };
  }
  return { record: await client.request<Run>('create', { body: { ...input, binding } }), attached: false };
}

// The newest unfinished run this instance started for the experiment (a job restarted by the
// supervisor continues it instead of starting over).
async function findUnfinished(client: RunsClient, experiment: string, binding: RunBinding): Promise<string | null> {
  let best: RunSummary | null = null;
  let after: string | undefined;
  for (let page = 0; page < 50; page++) {
    const { runs, next } = await client.request<{ runs: RunSummary[]; next: string | null }>('list', {
      body: { experiment, limit: 500, ...(after === undefined ? {} : { after }) },
    });
    for (const r of runs) {
      const b = r.binding;
      if (r.finishedAt !== null || b === null || b.service !== binding.service || b.instance !== binding.instance) continue;
      if (best === null || r.createdAt > best.createdAt) best = r;
    }
    if (next === null || next === undefined) break;
    after = next;
  }
  return best?.id ?? null;
}

class RunsClient {
  readonly #codec = new TextDecoder();
  constructor(
    readonly nc: NatsConnection,
    readonly timeoutMs: number,
    readonly by: string,
  ) {}

  async request<T>(op: RunsOp, req: { id?: string; commandId?: string; body?: unknown }): Promise<T> {
    let raw: Uint8Array;
    try {
      raw = (await this.nc.request(runsRequestSubject(op), JSON.stringify({ ...req, by: this.by }), { timeout: this.timeoutMs })).data;
    } catch (err) {
      throw new RunRequestError(op, 'unavailable', `no answer from the run registry: ${(err as Error).message}`, { cause: err });
    }
    const reply = JSON.parse(this.#codec.decode(raw)) as { ok: true; data: T } | { ok: false; code: RunsErrorCode; message: string };
    if (!reply.ok) throw new RunRequestError(op, reply.code, reply.message);
    return reply.data;
  }
}

interface CommandWire {
  id: string;
  type: RunCommandType;
  params?: Record<string, unknown>;
}

class Handle implements RunHandle {
  readonly #client: RunsClient;
  readonly #owned: boolean;
  readonly #stops = new Set<() => void>();
  /** Commands this handle handed out and the job has not acknowledged yet. */
  readonly #unacked = new Set<string>();
  /** Every command this handle handed out, so none is yielded twice. */
  readonly #seen = new Set<string>();
  #closed = false;
  #finished = false;

  constructor(
    client: RunsClient,
    readonly record: Run,
    readonly attached: boolean,
    owned: boolean,
  ) {
    this.#client = client;
    this.#owned = owned;
  }

  get id(): string {
    return this.record.id;
  }

  heartbeat(input: HeartbeatInput): Promise<Run> {
    return this.#client.request<Run>('heartbeat', { id: this.id, body: input });
  }

  async finish(input: FinishInput): Promise<Run> {
    const run = await this.#client.request<Run>('finish', { id: this.id, body: input });
    this.#finished = true;
    this.#stopWaiters();
    return run;
  }

  commands(): AsyncIterableIterator<RunCommandDelivery> {
    return this.#iterate();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopWaiters();
    if (this.#owned) await this.#client.nc.drain().catch(() => {});
  }

  #stopWaiters(): void {
    for (const stop of this.#stops) stop();
  }

  async *#iterate(): AsyncGenerator<RunCommandDelivery> {
    const nc = this.#client.nc;
    const sub: Subscription = nc.subscribe(runWakeSubject(this.id));
    const pollMs = Math.max(50, Math.min(this.record.heartbeatIntervalMs, 10_000));
    let wake: (() => void) | null = null;
    let woken = false;
    const poke = (): void => {
      woken = true;
      wake?.();
    };
    this.#stops.add(poke);
    void (async () => {
      for await (const _ of sub) poke();
    })().catch(() => {});
    try {
      while (!this.#done()) {
        woken = false;
        const next = await this.#fetch();
        if (next === 'ended') return;
        if (next !== null) {
          yield next;
          continue;
        }
        if (woken) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    } finally {
      this.#stops.delete(poke);
      sub.unsubscribe();
    }
  }

  #done(): boolean {
    return this.#closed || this.#finished || this.#client.nc.isClosed();
  }

  // While every command handed out is acknowledged, ask with redeliver: a command delivered to
  // an earlier process of this job (which died before acking it) comes back first.
  async #fetch(): Promise<RunCommandDelivery | null | 'ended'> {
    let wire: CommandWire | null;
    try {
      wire = await this.#client.request<CommandWire | null>('next', { id: this.id, body: { redeliver: this.#unacked.size === 0 } });
    } catch (err) {
      if (err instanceof RunRequestError && (err.code === 'not_found' || err.code === 'finished')) return 'ended';
      // The registry is briefly unreachable (a node restarting): try again at the next poll.
      return null;
    }
    if (wire === null || wire === undefined || this.#seen.has(wire.id)) return null;
    this.#seen.add(wire.id);
    this.#unacked.add(wire.id);
    const client = this.#client;
    const runId = this.id;
    const unacked = this.#unacked;
    return {
      id: wire.id,
      type: wire.type,
      params: wire.params ?? {},
      async ack() {
        await client.request('ack', { id: runId, commandId: wire.id });
        unacked.delete(wire.id);
      },
    };
  }
}

function isConnection(conn: RunConnection): conn is NatsConnection {
  return typeof (conn as NatsConnection).request === 'function' && typeof (conn as NatsConnection).subscribe === 'function';
}
