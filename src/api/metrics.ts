// Prometheus metrics of a node (`GET /metrics`), every name prefixed `nestor_`. Event, restart,
// exit, readiness and probe figures are counted from the live state as events arrive (so they
// count since this process started); gauges are read at scrape time from the reduced state,
// /proc and the nats-server monitoring endpoint. docs/metrics.md lists every metric.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BusWriter, BrokerStats } from '../bus/index.ts';
import { brokerStats } from '../bus/index.ts';
import type { SkipReason } from '../events/index.ts';
import { LIFECYCLE_STATES, getNode, getService } from '../state/index.ts';
import { selectCounts } from '../views/index.ts';
import type { State } from '../state/index.ts';
import type { StreamKind } from './sse-connection.ts';
import type { LiveEvent, LiveState } from './live-state.ts';
import { groupUsage } from './proc-usage.ts';

/** Where the metrics read from. */
export interface MetricsSources {
  bus: BusWriter;
  live: LiveState;
  node: string;
  /** Pids of this node's running services (process group leaders), by service. */
  pids(): Record<string, number>;
}

const PREFIX = 'nestor_';
const SKIP_REASONS: SkipReason[] = ['json', 'envelope', 'version', 'type', 'payload'];

/** The node's metric registry and the hooks that feed it. */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly #src: MetricsSources;
  #broker: BrokerStats | null = null;
  #streamLastSeq = 0;
  readonly #published: Counter<'type'>;
  readonly #consumed: Counter<'type'>;
  readonly #restarts: Counter<'service'>;
  readonly #exits: Counter<'service' | 'expected'>;
  readonly #ready: Histogram<'service'>;
  readonly #probe: Histogram<'service' | 'probe'>;
  readonly #sseClients: Gauge<'kind'>;
  readonly #sseDropped: Counter<'kind'>;

  constructor(src: MetricsSources) {
    this.#src = src;
    const registers = [this.registry];
    const m = (name: string): string => PREFIX + name;
    this.#published = new Counter({ name: m('events_published_total'), help: 'Events this node published to the stream, by type.', labelNames: ['type'], registers });
    this.#consumed = new Counter({ name: m('events_consumed_total'), help: "Events the node's live state consumed from the stream (any origin), by type.", labelNames: ['type'], registers });
    this.#restarts = new Counter({ name: m('service_restarts_total'), help: 'Restarts of a service (automatic and by command).', labelNames: ['service'], registers });
    this.#exits = new Counter({ name: m('service_exits_total'), help: 'Process exits of a service; expected="false" for crashes.', labelNames: ['service', 'expected'], registers });
    this.#ready = new Histogram({
      name: m('service_time_to_ready_seconds'),
      help: 'Time from spawning a service to its readiness passing.',
      labelNames: ['service'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.#probe = new Histogram({
      name: m('probe_latency_seconds'),
      help: 'Latency of health probes, as reported with health changes.',
      labelNames: ['service', 'probe'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.#sseClients = new Gauge({ name: m('sse_clients'), help: 'Connected server-sent event clients.', labelNames: ['kind'], registers });
    this.#sseDropped = new Counter({ name: m('sse_clients_dropped_total'), help: 'SSE clients disconnected because they could not keep up.', labelNames: ['kind'], registers });
    for (const kind of ['events', 'dashboard']) {
      this.#sseClients.set({ kind }, 0);
      this.#sseDropped.inc({ kind }, 0);
    }
    this.#stateMetrics(registers);
    this.#processMetrics(registers);
    this.#brokerMetrics(registers);
    // The event-loop delay monitor wakes the loop every `precision` ms (10 by default): 100
    // wake-ups a second cost an idle node CPU for a histogram nobody needs at that resolution.
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX, eventLoopMonitoringPrecision: 100 });
    // prom-client names these gauges *_total, which Prometheus reserves for counters.
    for (const name of ['nodejs_active_resources_total', 'nodejs_active_handles_total', 'nodejs_active_requests_total']) {
      this.registry.removeSingleMetric(PREFIX + name);
    }
  }

  /** LiveState listener: counts one new event. */
  observe(item: LiveEvent, state: State, previous: State): void {
    const e = item.event;
    this.#consumed.inc({ type: e.type });
    if (e.origin.node === this.#src.node) this.#published.inc({ type: e.type });
    // Only three types feed histograms and counters; the rest are counted above.
    if (e.type === 'orchestrator.service.exit') this.#exits.inc({ service: e.data.service, expected: String(e.data.expected) });
    else if (e.type === 'orchestrator.service.ready') this.#ready.observe({ service: e.data.service }, e.data.elapsedMs / 1000);
    else if (e.type === 'orchestrator.service.health' && e.data.latencyMs !== null) {
      this.#probe.observe({ service: e.data.service, probe: e.data.probe }, e.data.latencyMs / 1000);
    }
    const service = (e.data as { service?: unknown }).service;
    if (typeof service === 'string') {
      const before = getService(previous, service)?.restarts ?? 0;
      const after = getService(state, service)?.restarts ?? 0;
      if (after > before) this.#restarts.inc({ service }, after - before);
    }
  }

  /** An SSE client connected. */
  streamOpened(kind: StreamKind): void {
    this.#sseClients.inc({ kind });
  }

  /** An SSE client went away. */
  streamClosed(kind: StreamKind): void {
    this.#sseClients.dec({ kind });
  }

  /** An SSE client was dropped for being too slow. */
  streamDropped(kind: StreamKind): void {
    this.#sseDropped.inc({ kind });
  }

  /** The exposition text and its content type; reads the broker and the stream first. */
  async render(): Promise<{ contentType: string; body: string }> {
    const { bus } = this.#src;
    const [stats, lastSeq] = await Promise.all([
      bus.monitorUrl === null ? null : brokerStats(bus.monitorUrl, 1_000).catch(() => null),
      bus.lastSeq().catch(() => null),
    ]);
    this.#broker = stats;
    if (lastSeq !== null) this.#streamLastSeq = lastSeq;
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  #stateMetrics(registers: Registry[]): void {
    const live = this.#src.live;
    const lastSeq = (): number => this.#streamLastSeq;
    new Gauge({
      name: PREFIX + 'services',
      help: 'Services by lifecycle state.',
      labelNames: ['state'],
      registers,
      collect() {
        const counts = selectCounts(live.state);
        for (const s of LIFECYCLE_STATES) this.set({ state: s }, counts.byState[s]);
      },
    });
    new Counter({
      name: PREFIX + 'events_skipped_total',
      help: 'Messages on the stream skipped as invalid (bad JSON, envelope, newer version, unknown type, bad payload).',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const r of SKIP_REASONS) this.inc({ reason: r }, live.stats.skipped[r]);
      },
    });
    new Counter({
      name: PREFIX + 'state_ignored_transitions_total',
      help: 'Events the state reducer ignored as impossible in the state they met, by type.',
      labelNames: ['type'],
      registers,
      collect() {
        this.reset();
        for (const [type, n] of Object.entries(live.state.counters.ignoredByType)) this.inc({ type }, n);
      },
    });
    // The node's managed Caddy, from its config.applied events (docs/caddy.md).
    const caddy = (): { routeCount: number; upstreamCount: number; running: boolean } | undefined => getNode(live.state, this.#src.node)?.caddy;
    new Gauge({
      name: PREFIX + 'caddy_routes',
      help: "Routes in the config of this node's Caddy.",
      registers,
      collect() {
        this.set(caddy()?.routeCount ?? 0);
      },
    });
    new Gauge({
      name: PREFIX + 'caddy_upstreams',
      help: "Upstreams (instance addresses) behind the routes of this node's Caddy.",
      registers,
      collect() {
        this.set(caddy()?.upstreamCount ?? 0);
      },
    });
    new Gauge({
      name: PREFIX + 'caddy_up',
      help: "1 while this node's Caddy runs.",
      registers,
      collect() {
        this.set(caddy()?.running === true ? 1 : 0);
      },
    });
    new Gauge({
      name: PREFIX + 'consumer_lag_messages',
      help: "Messages stored on the event stream that the node's live state has not processed yet.",
      registers,
      collect() {
        this.set(Math.max(0, lastSeq() - live.cursor));
      },
    });
    new Gauge({
      name: PREFIX + 'stream_last_sequence',
      help: 'Last sequence of the event stream.',
      registers,
      collect() {
        this.set(lastSeq());
      },
    });
  }

  #processMetrics(registers: Registry[]): void {
    const pids = (): Record<string, number> => this.#src.pids();
    const usage = new Map<string, ReturnType<typeof groupUsage>>();
    new Counter({
      name: PREFIX + 'service_cpu_seconds_total',
      help: "CPU time (user + system) of a service's process group, from /proc.",
      labelNames: ['service'],
      registers,
      collect() {
        usage.clear();
        for (const [service, pid] of Object.entries(pids())) usage.set(service, groupUsage(pid));
        this.reset();
        for (const [service, u] of usage) this.inc({ service }, u.cpuSeconds);
      },
    });
    new Gauge({
      name: PREFIX + 'service_resident_memory_bytes',
      help: "Resident memory of a service's process group, from /proc.",
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        for (const [service, pid] of Object.entries(pids())) this.set({ service }, (usage.get(service) ?? groupUsage(pid)).rssBytes);
      },
    });
  }

  #brokerMetrics(registers: Registry[]): void {
    const stats = (): BrokerStats | null => this.#broker;
    const gauge = (name: string, help: string, read: (s: BrokerStats) => number): void => {
      new Gauge({
        name: PREFIX + name,
        help,
        registers,
        collect() {
          const s = stats();
          this.reset();
          if (s !== null) this.set(read(s));
        },
      });
    };
    const counter = (name: string, help: string, read: (s: BrokerStats) => number): void => {
      new Counter({
        name: PREFIX + name,
        help,
        registers,
        collect() {
          const s = stats();
          this.reset();
          if (s !== null) this.inc(read(s));
        },
      });
    };
    new Gauge({
      name: PREFIX + 'broker_up',
      help: 'Whether the embedded nats-server monitoring endpoint answered this scrape (1) or not (0).',
      registers,
      collect() {
        this.set(stats() === null ? 0 : 1);
      },
    });
    gauge('broker_connections', 'Client connections to the broker.', (s) => s.connections);
    gauge('broker_routes', 'Cluster routes of the broker.', (s) => s.routes);
    counter('broker_in_messages_total', 'Messages received by the broker.', (s) => s.inMsgs);
    counter('broker_out_messages_total', 'Messages sent by the broker.', (s) => s.outMsgs);
    counter('broker_in_bytes_total', 'Bytes received by the broker.', (s) => s.inBytes);
    counter('broker_out_bytes_total', 'Bytes sent by the broker.', (s) => s.outBytes);
    counter('broker_slow_consumers_total', 'Slow consumers the broker detected.', (s) => s.slowConsumers);
    gauge('broker_resident_memory_bytes', 'Resident memory of the broker process.', (s) => s.mem);
    gauge('broker_jetstream_streams', 'JetStream streams.', (s) => s.jetstream.streams);
    gauge('broker_jetstream_consumers', 'JetStream consumers.', (s) => s.jetstream.consumers);
    gauge('broker_jetstream_messages', 'Messages stored in JetStream.', (s) => s.jetstream.messages);
    gauge('broker_jetstream_stored_bytes', 'Bytes stored in JetStream streams.', (s) => s.jetstream.bytes);
    gauge('broker_jetstream_memory_bytes', 'JetStream memory storage in use.', (s) => s.jetstream.memory);
    gauge('broker_jetstream_storage_bytes', 'JetStream file storage in use.', (s) => s.jetstream.storage);
    counter('broker_jetstream_api_requests_total', 'JetStream API requests.', (s) => s.jetstream.apiTotal);
    counter('broker_jetstream_api_errors_total', 'JetStream API errors.', (s) => s.jetstream.apiErrors);
  }
}
