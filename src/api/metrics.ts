// Prometheus metrics of a node (`GET /metrics`), every name prefixed `nestor_`. Event, restart,
// exit, readiness and probe figures are counted from the live state as events arrive (so they
// count since this process started); gauges are read at scrape time. The counting here is plain
// maps: prom-client and its registry (metrics-registry.ts) load on the first scrape, so a node
// nobody scrapes keeps neither their code nor the default metrics' event-loop monitor in memory.
// docs/metrics.md lists every metric.
import type { BusWriter, BrokerStats } from '../bus/index.ts';
import { brokerStats } from '../bus/index.ts';
import { getService } from '../state/index.ts';
import type { State } from '../state/index.ts';
import type { StreamKind } from './sse-connection.ts';
import type { LiveEvent, LiveState } from './live-state.ts';
import type { MetricsRegistry, MetricsTallies } from './metrics-registry.ts';
import { RunCommandTimes } from './run-command-times.ts';
import type { RunLatency } from './run-command-times.ts';
import type { RunHeartbeatAt } from './metrics-runs.ts';

/** Where the metrics read from. */
export interface MetricsSources {
  bus: BusWriter;
  live: LiveState;
  node: string;
  /** Pids of this node's running services (process group leaders), by service. */
  pids(): Record<string, number>;
  /** Last heartbeats of the runs from the node's registry; absent: the reduced state's. */
  runHeartbeats?: () => readonly RunHeartbeatAt[];
}

// Histogram observations waiting for the registry. Past this many the registry is loaded
// without waiting for a scrape, so an unscraped node does not collect them for ever.
const MAX_PENDING = 1_000;

type Observation =
  | { kind: 'ready'; labels: { service: string }; value: number }
  | { kind: 'probe'; labels: { service: string; probe: string }; value: number }
  | RunLatency;

/** The node's metrics: tallies kept from the start, and the registry loaded on first use. */
export class ApiMetrics {
  readonly #src: MetricsSources;
  readonly #tallies: MetricsTallies = {
    published: new Map(),
    consumed: new Map(),
    restarts: new Map(),
    exits: new Map(),
    sseClients: new Map([['events', 0], ['dashboard', 0]]),
    sseDropped: new Map([['events', 0], ['dashboard', 0]]),
  };
  #broker: BrokerStats | null = null;
  #streamLastSeq = 0;
  #registry: MetricsRegistry | null = null;
  #loading: Promise<MetricsRegistry> | null = null;
  #pending: Observation[] = [];
  readonly #runTimes = new RunCommandTimes();

  constructor(src: MetricsSources) {
    this.#src = src;
  }

  /** LiveState listener: counts one new event. */
  observe(item: LiveEvent, state: State, previous: State): void {
    const e = item.event;
    const t = this.#tallies;
    add(t.consumed, e.type);
    if (e.origin.node === this.#src.node) add(t.published, e.type);
    // Only three types feed histograms and counters; the rest are counted above.
    if (e.type === 'orchestrator.service.exit') add(t.exits, `${e.data.service}\0${String(e.data.expected)}`);
    else if (e.type === 'orchestrator.service.ready') this.#observe({ kind: 'ready', labels: { service: e.data.service }, value: e.data.elapsedMs / 1000 });
    else if (e.type === 'orchestrator.service.health' && e.data.latencyMs !== null) {
      this.#observe({ kind: 'probe', labels: { service: e.data.service, probe: e.data.probe }, value: e.data.latencyMs / 1000 });
    }
    else if (e.type.startsWith('orchestrator.run.')) for (const o of this.#runTimes.observe(e)) this.#observe(o);
    const service = (e.data as { service?: unknown }).service;
    if (typeof service === 'string') {
      const before = getService(previous, service)?.restarts ?? 0;
      const after = getService(state, service)?.restarts ?? 0;
      if (after > before) add(t.restarts, service, after - before);
    }
  }

  /** An SSE client connected. */
  streamOpened(kind: StreamKind): void {
    add(this.#tallies.sseClients, kind);
  }

  /** An SSE client went away. */
  streamClosed(kind: StreamKind): void {
    add(this.#tallies.sseClients, kind, -1);
  }

  /** An SSE client was dropped for being too slow. */
  streamDropped(kind: StreamKind): void {
    add(this.#tallies.sseDropped, kind);
  }

  /** The exposition text and its content type; reads the broker and the stream first. */
  async render(): Promise<{ contentType: string; body: string }> {
    const { bus } = this.#src;
    const [registry, stats, lastSeq] = await Promise.all([
      this.#load(),
      bus.monitorUrl === null ? null : brokerStats(bus.monitorUrl, 1_000).catch(() => null),
      bus.lastSeq().catch(() => null),
    ]);
    this.#broker = stats;
    if (lastSeq !== null) this.#streamLastSeq = lastSeq;
    return { contentType: registry.registry.contentType, body: await registry.registry.metrics() };
  }

  #observe(o: Observation): void {
    if (this.#registry !== null) {
      this.#feed(this.#registry, o);
      return;
    }
    this.#pending.push(o);
    if (this.#pending.length >= MAX_PENDING) void this.#load();
  }

  #feed(r: MetricsRegistry, o: Observation): void {
    if (o.kind === 'ready') r.ready.observe(o.labels, o.value);
    else if (o.kind === 'probe') r.probe.observe(o.labels, o.value);
    else r.observeRun(o);
  }

  #load(): Promise<MetricsRegistry> {
    this.#loading ??= import('./metrics-registry.ts').then(({ createRegistry }) => {
      const r = createRegistry({
        live: this.#src.live,
        node: this.#src.node,
        tallies: this.#tallies,
        pids: () => this.#src.pids(),
        broker: () => this.#broker,
        lastSeq: () => this.#streamLastSeq,
        ...(this.#src.runHeartbeats === undefined ? {} : { runHeartbeats: this.#src.runHeartbeats }),
      });
      for (const o of this.#pending) this.#feed(r, o);
      this.#pending = [];
      this.#registry = r;
      return r;
    });
    return this.#loading;
  }
}

function add(counts: Map<string, number>, key: string, n = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}
