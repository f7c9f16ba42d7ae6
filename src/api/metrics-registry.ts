// The Prometheus registry behind `GET /metrics`, loaded by ApiMetrics (metrics.ts) on the first
// scrape, so a node nobody scrapes never loads prom-client. Counters read the tallies ApiMetrics
// kept since the process started; gauges read the reduced state, /proc and the nats-server
// monitoring endpoint at scrape time. docs/metrics.md lists every metric.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BrokerStats } from '../bus/index.ts';
import type { SkipReason } from '../events/index.ts';
import { LIFECYCLE_STATES, getNode, runList } from '../state/index.ts';
import type { CaddyState } from '../state/index.ts';
import type { RunSummary } from '../runs/core/index.ts';
import { selectCounts } from '../views/index.ts';
import type { LiveState } from './live-state.ts';
import { observeRunLatency, runMetrics } from './metrics-runs.ts';
import type { RunHeartbeatAt } from './metrics-runs.ts';
import { groupUsage } from './proc-usage.ts';
import type { RunLatency } from './run-command-times.ts';

/** Counts kept by ApiMetrics from the start of the process, by label values joined with NUL. */
export interface MetricsTallies {
  published: Map<string, number>;
  consumed: Map<string, number>;
  restarts: Map<string, number>;
  exits: Map<string, number>;
  sseClients: Map<string, number>;
  sseDropped: Map<string, number>;
}

/** What the registry reads at scrape time. */
export interface RegistrySources {
  live: LiveState;
  /** This node's name (its Caddy's figures are its own). */
  node: string;
  tallies: MetricsTallies;
  /** Pids of this node's running services (process group leaders), by service. */
  pids(): Record<string, number>;
  /** The broker's figures read for this scrape (null when its endpoint did not answer). */
  broker(): BrokerStats | null;
  /** The stream's last sequence read for this scrape. */
  lastSeq(): number;
  /** Last heartbeats of the runs from the node's registry; absent: the reduced state's. */
  runHeartbeats?: () => readonly RunHeartbeatAt[];
}

/** The registry and the two histograms ApiMetrics feeds directly. */
export interface MetricsRegistry {
  registry: Registry;
  ready: Histogram<'service'>;
  probe: Histogram<'service' | 'probe'>;
  /** Feeds a run command or heartbeat latency (metrics-runs.ts). */
  observeRun(o: RunLatency): void;
}

const PREFIX = 'nestor_';
const SKIP_REASONS: SkipReason[] = ['json', 'envelope', 'version', 'type', 'payload'];

/** Builds the node's registry over `src`. */
export function createRegistry(src: RegistrySources): MetricsRegistry {
  const registry = new Registry();
  const registers = [registry];
  const m = (name: string): string => PREFIX + name;
  const tallied = <L extends string>(name: string, help: string, labelNames: L[], counts: Map<string, number>): void => {
    new Counter({
      name: m(name),
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const [key, n] of counts) this.inc(labelsOf(labelNames, key), n);
      },
    });
  };
  const t = src.tallies;
  tallied('events_published_total', 'Events this node published to the stream, by type.', ['type'], t.published);
  tallied('events_consumed_total', "Events the node's live state consumed from the stream (any origin), by type.", ['type'], t.consumed);
  tallied('service_restarts_total', 'Restarts of a service (automatic and by command).', ['service'], t.restarts);
  tallied('service_exits_total', 'Process exits of a service; expected="false" for crashes.', ['service', 'expected'], t.exits);
  const ready = new Histogram({
    name: m('service_time_to_ready_seconds'),
    help: 'Time from spawning a service to its readiness passing.',
    labelNames: ['service'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers,
  });
  const probe = new Histogram({
    name: m('probe_latency_seconds'),
    help: 'Latency of health probes, as reported with health changes.',
    labelNames: ['service', 'probe'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  new Gauge({
    name: m('sse_clients'),
    help: 'Connected server-sent event clients.',
    labelNames: ['kind'],
    registers,
    collect() {
      for (const [kind, n] of t.sseClients) this.set({ kind }, n);
    },
  });
  tallied('sse_clients_dropped_total', 'SSE clients disconnected because they could not keep up.', ['kind'], t.sseDropped);
  stateMetrics(src, registers);
  const stateRuns = (): readonly RunSummary[] => runList(src.live.state.runs);
  const runs = runMetrics(stateRuns, registers, src.runHeartbeats ?? stateRuns);
  processMetrics(src, registers);
  brokerMetrics(src, registers);
  // The event-loop delay monitor wakes the loop every `precision` ms (10 by default): 100
  // wake-ups a second cost an idle node CPU for a histogram nobody needs at that resolution.
  collectDefaultMetrics({ register: registry, prefix: PREFIX, eventLoopMonitoringPrecision: 100 });
  // prom-client names these gauges *_total, which Prometheus reserves for counters.
  for (const name of ['nodejs_active_resources_total', 'nodejs_active_handles_total', 'nodejs_active_requests_total']) {
    registry.removeSingleMetric(PREFIX + name);
  }
  return { registry, ready, probe, observeRun: (o) => observeRunLatency(runs, o) };
}

function labelsOf<L extends string>(names: L[], key: string): Record<L, string> {
  const values = key.split('\0');
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? ''])) as Record<L, string>;
}

function stateMetrics(src: RegistrySources, registers: Registry[]): void {
  const { live, lastSeq } = src;
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
  const caddyGauge = (name: string, help: string, read: (c: CaddyState | undefined) => number): void => {
    new Gauge({
      name: PREFIX + name,
      help,
      registers,
      collect() {
        this.set(read(getNode(live.state, src.node)?.caddy));
      },
    });
  };
  caddyGauge('caddy_routes', "Routes in the config of this node's Caddy.", (c) => c?.routeCount ?? 0);
  caddyGauge('caddy_upstreams', "Upstreams (instance addresses) behind the routes of this node's Caddy.", (c) => c?.upstreamCount ?? 0);
  caddyGauge('caddy_up', "1 while this node's Caddy runs.", (c) => (c?.running === true ? 1 : 0));
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

function processMetrics(src: RegistrySources, registers: Registry[]): void {
  const pids = (): Record<string, number> => src.pids();
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

function brokerMetrics(src: RegistrySources, registers: Registry[]): void {
  const stats = (): BrokerStats | null => src.broker();
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
