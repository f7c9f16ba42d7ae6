// A client of a node's HTTP API, used by the terminal UI, tests and benchmarks: the snapshot
// (`/api/v1/state`), commands, log tails, and the event stream followed across disconnects with
// Last-Event-ID, so a reader sees every event exactly once (docs/api.md, *The event stream*).
import type { CommandVerb, NestorEvent, Stored } from '../events/index.ts';
import type { State } from '../state/index.ts';
import type { CommandInput, RunCommandResult, CreateRunInput, FinishInput, HeartbeatInput, Run, RunCommand, RunListFilter, RunPage } from '../runs/core/index.ts';
import { showLogLine } from '../views/index.ts';
import type { NodeRow, StatusJson } from '../views/index.ts';
import type { MergedLogLine } from './rest.ts';
import type { CommandResult } from './commands.ts';
import { SseParser } from './sse-parse.ts';
import type { SseMessage } from './sse-parse.ts';

/** Options of {@link ApiClient}. */
export interface ApiClientOptions {
  /** Base URL of the API (http://host:port). */
  url: string;
  token?: string;
  /** Names the asking UI in the audit trail of commands (`requestedBy.component`). */
  component?: string;
}

/** What {@link ApiClient.follow} yields: an event, or a change of the link to the server. */
export type FollowItem = { kind: 'event'; event: Stored<NestorEvent> } | { kind: 'link'; link: 'live' | 'reconnecting'; error?: string } | { kind: 'control'; message: SseMessage };

/** Options of {@link ApiClient.follow}. */
export interface FollowOptions {
  /** Resume after this sequence (0: whole history); without it only new events come. */
  since?: number;
  service?: string[];
  type?: string[];
  signal?: AbortSignal;
  /** Delay before reconnecting, unless the server asked for another (default 500 ms). */
  retryMs?: number;
}

/** A refused API request: the HTTP status and the server's error code and message. */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  /** The whole error object (a run conflict names `field`, `stored` and `sent`). */
  readonly body: Record<string, unknown>;

  constructor(method: string, path: string, status: number, body: Record<string, unknown>) {
    super(`${method} ${path}: HTTP ${status}: ${typeof body.message === 'string' ? body.message : ''}`);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = typeof body.code === 'string' ? body.code : String(status);
    this.body = body;
  }
}

/** HTTP client of one Nestor node. */
export class ApiClient {
  readonly url: string;
  readonly #token: string | undefined;
  readonly #component: string;

  constructor(opts: ApiClientOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.#token = opts.token;
    this.#component = opts.component ?? 'api';
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.#token === undefined ? {} : { Authorization: `Bearer ${this.#token}` }), ...extra };
  }

  /** GETs a JSON document; throws with the server's message on a non-2xx answer. */
  async getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
    const res = await fetch(`${this.url}${path}`, { headers: this.#headers(), signal: signal ?? AbortSignal.timeout(10_000) });
    const body = (await res.json()) as T & { error?: { message: string } };
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}: ${body.error?.message ?? ''}`);
    return body;
  }

  /** The whole reduced state (the snapshot to follow from). */
  state(): Promise<State> {
    return this.getJson<State>('/api/v1/state');
  }

  /** The services list. */
  services(): Promise<StatusJson> {
    return this.getJson<StatusJson>('/api/v1/services');
  }

  /** The last lines of a service's log. */
  async logs(service: string, lines = 50, signal?: AbortSignal): Promise<string[]> {
    const body = await this.getJson<{ lines: string[]; format?: 'text' | 'json' }>(`/api/v1/services/${encodeURIComponent(service)}/logs?lines=${lines}`, signal);
    // As the log views show them: a json-format service's structured lines as level and message.
    return body.lines.map((l) => showLogLine(l, body.format));
  }

  /** The last lines of every service's log on the node, interleaved by time, oldest first. */
  async allLogs(lines = 50, signal?: AbortSignal): Promise<MergedLogLine[]> {
    return (await this.getJson<{ lines: MergedLogLine[] }>(`/api/v1/logs?lines=${lines}`, signal)).lines;
  }

  /** Sends a command; resolves with the HTTP status and the outcome (never throws on 4xx). */
  async command(verb: CommandVerb, service: string): Promise<{ status: number; body: CommandResult | { error: { code: string; message: string } } }> {
    const res = await fetch(`${this.url}/api/v1/services/${encodeURIComponent(service)}/${verb}`, {
      method: 'POST',
      headers: this.#headers({ 'X-Nestor-Component': this.#component }),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: (await res.json()) as CommandResult };
  }

  /** The cluster's nodes. */
  async nodes(): Promise<NodeRow[]> {
    return (await this.getJson<{ nodes: NodeRow[] }>('/api/v1/nodes')).nodes;
  }

  /** Asks a node to drain or undrain; resolves with the HTTP status and the outcome (never throws on 4xx/5xx). */
  async nodeAction(node: string, action: 'drain' | 'undrain'): Promise<{ status: number; body: { ok: boolean; node?: string; action?: string; message?: string; error?: { code: string; message: string } } }> {
    const res = await fetch(`${this.url}/api/v1/nodes/${encodeURIComponent(node)}/${action}`, {
      method: 'POST',
      headers: this.#headers({ 'X-Nestor-Component': this.#component }),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: (await res.json()) as { ok: boolean; message?: string } };
  }

  // A run request: JSON in and out; a non-2xx answer throws ApiRequestError; 204 is null.
  async #runRequest<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers = this.#headers({ 'X-Nestor-Component': this.#component, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) });
    const res = await fetch(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
    if (res.status === 204) return null as T;
    const parsed = (await res.json()) as T & { error?: Record<string, unknown> };
    if (!res.ok) throw new ApiRequestError(method, path, res.status, parsed.error ?? {});
    return parsed;
  }

  /** Registers a run (queued). */
  createRun(input: CreateRunInput): Promise<Run> {
    return this.#runRequest<Run>('POST', '/api/v1/runs', input);
  }

  /** One page of runs matching the filter. */
  runs(filter: RunListFilter = {}): Promise<RunPage> {
    const query = new URLSearchParams(Object.entries(filter).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]])));
    return this.#runRequest<RunPage>('GET', `/api/v1/runs${query.size > 0 ? `?${query}` : ''}`);
  }

  /** The record of one run. */
  run(id: string): Promise<Run> {
    return this.#runRequest<Run>('GET', `/api/v1/runs/${encodeURIComponent(id)}`);
  }

  /** Sends a heartbeat of a run. */
  runHeartbeat(id: string, input: HeartbeatInput): Promise<Run> {
    return this.#runRequest<Run>('POST', `/api/v1/runs/${encodeURIComponent(id)}/heartbeat`, input);
  }

  /** Reports a run's end (succeeded or failed). */
  finishRun(id: string, input: FinishInput): Promise<Run> {
    return this.#runRequest<Run>('POST', `/api/v1/runs/${encodeURIComponent(id)}/finish`, input);
  }

  /** Sends a command to a run; `created` is false when its id was sent before. */
  sendRunCommand(id: string, input: CommandInput): Promise<RunCommandResult> {
    return this.#runRequest<RunCommandResult>('POST', `/api/v1/runs/${encodeURIComponent(id)}/commands`, input);
  }

  /** The run's next command (stamped delivered), or null when none waits. */
  nextRunCommand(id: string): Promise<RunCommand | null> {
    return this.#runRequest<RunCommand | null>('GET', `/api/v1/runs/${encodeURIComponent(id)}/commands/next`);
  }

  /** Acknowledges a command of a run. */
  ackRunCommand(id: string, commandId: string): Promise<RunCommand> {
    return this.#runRequest<RunCommand>('POST', `/api/v1/runs/${encodeURIComponent(id)}/commands/${encodeURIComponent(commandId)}/ack`);
  }

  /** Follows the event stream, reconnecting with Last-Event-ID until aborted. */
  async *follow(opts: FollowOptions = {}): AsyncGenerator<FollowItem, void, undefined> {
    let last: number | null = opts.since ?? null;
    let retryMs = opts.retryMs ?? 500;
    const query = new URLSearchParams();
    if (opts.service !== undefined) query.set('service', opts.service.join(','));
    if (opts.type !== undefined) query.set('type', opts.type.join(','));
    while (!opts.signal?.aborted) {
      let error: string | undefined;
      try {
        const headers = this.#headers({ Accept: 'text/event-stream', ...(last === null ? {} : { 'Last-Event-ID': String(last) }) });
        const res = await fetch(`${this.url}/api/v1/events${query.size > 0 ? `?${query}` : ''}`, { headers, signal: opts.signal });
        if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`);
        yield { kind: 'link', link: 'live' };
        const parser = new SseParser();
        const decoder = new TextDecoder();
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          for (const msg of parser.push(decoder.decode(chunk, { stream: true }))) {
            if (msg.event === 'message' && msg.id !== null) {
              yield { kind: 'event', event: JSON.parse(msg.data) as Stored<NestorEvent> };
            } else {
              yield { kind: 'control', message: msg };
            }
          }
          if (parser.retry !== null) retryMs = parser.retry;
          if (parser.lastEventId !== null) last = Number(parser.lastEventId);
        }
      } catch (err) {
        if (opts.signal?.aborted) return;
        error = (err as Error).message;
      }
      yield { kind: 'link', link: 'reconnecting', ...(error === undefined ? {} : { error }) };
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
}
