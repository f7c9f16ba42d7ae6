// The run registry's metrics, part of the registry metrics-registry.ts builds on the first
// scrape: runs by state and by health and the age of their last heartbeat (read from the reduced
// state at scrape time), and histograms of command delivery, acknowledgement and heartbeat gaps
// (fed by ApiMetrics from the run events). No label carries a run id: a thousand runs are a
// handful of series, not thousands.
import { Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { RUN_COMMAND_TYPES, RUN_HEALTH, RUN_STATES } from '../runs/core/index.ts';
import type { RunSummary } from '../runs/core/index.ts';
import type { RunLatency } from './run-command-times.ts';

/** The histograms ApiMetrics feeds from run events. */
export interface RunHistograms {
  delivery: Histogram<'type'>;
  ack: Histogram<'type'>;
  heartbeatGap: Histogram;
}

const PREFIX = 'nestor_';
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const GAP_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** A run's last heartbeat, as the lag gauge reads it (a record of the registry or a run of the state). */
export interface RunHeartbeatAt {
  state: RunSummary['state'];
  lastHeartbeatAt: string | null;
  createdAt: string;
}

/**
 * Registers the run metrics; `runs` reads the reduced state's runs, `heartbeats` the last
 * heartbeats (the node's registry has every one; the stream has samples, up to several seconds
 * apart with many runs), `now` the clock.
 */
export function runMetrics(runs: () => readonly RunSummary[], registers: Registry[], heartbeats: () => readonly RunHeartbeatAt[] = runs, now: () => number = Date.now): RunHistograms {
  new Gauge({
    name: PREFIX + 'runs',
    help: 'Runs of the registry by state.',
    labelNames: ['state'],
    registers,
    collect() {
      const counts = new Map<string, number>(RUN_STATES.map((s) => [s, 0]));
      for (const r of runs()) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: PREFIX + 'runs_health',
    help: 'Unfinished runs (queued, running, paused) by health.',
    labelNames: ['health'],
    registers,
    collect() {
      const counts = new Map<string, number>(RUN_HEALTH.map((h) => [h, 0]));
      for (const r of live(runs())) counts.set(r.health, (counts.get(r.health) ?? 0) + 1);
      for (const [health, n] of counts) this.set({ health }, n);
    },
  });
  new Gauge({
    name: PREFIX + 'run_heartbeat_lag_seconds',
    help: 'Seconds since the last heartbeat (or the creation) of the queued and running runs: the largest and the mean.',
    labelNames: ['stat'],
    registers,
    collect() {
      const t = now();
      const lags = live(heartbeats())
        .filter((r) => r.state !== 'paused')
        .map((r) => Math.max(0, t - Date.parse(r.lastHeartbeatAt ?? r.createdAt)) / 1000)
        .filter(Number.isFinite);
      this.set({ stat: 'max' }, lags.length === 0 ? 0 : Math.max(...lags));
      this.set({ stat: 'avg' }, lags.length === 0 ? 0 : lags.reduce((a, b) => a + b, 0) / lags.length);
    },
  });
  const delivery = new Histogram({
    name: PREFIX + 'run_command_delivery_seconds',
    help: 'Time from a run command being sent to the job fetching it, by command type.',
    labelNames: ['type'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const ack = new Histogram({
    name: PREFIX + 'run_command_ack_seconds',
    help: 'Time from a run command being delivered to the job acknowledging it, by command type.',
    labelNames: ['type'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  // Every type's series exist from the first scrape, so a rate() over them never starts empty.
  for (const type of RUN_COMMAND_TYPES) {
    delivery.zero({ type });
    ack.zero({ type });
  }
  const heartbeatGap = new Histogram({
    name: PREFIX + 'run_heartbeat_gap_seconds',
    help: 'Time between two heartbeat events of the same run on the stream (samples: at most one per run per second, further apart with more than 100 runs heartbeating on a node).',
    buckets: GAP_BUCKETS,
    registers,
  });
  return { delivery, ack, heartbeatGap };
}

/** Feeds one latency into its histogram. */
export function observeRunLatency(h: RunHistograms, o: RunLatency): void {
  if (o.kind === 'run-delivery') h.delivery.observe({ type: o.type }, o.value);
  else if (o.kind === 'run-ack') h.ack.observe({ type: o.type }, o.value);
  else h.heartbeatGap.observe(o.value);
}

function live<T extends { state: RunSummary['state'] }>(runs: readonly T[]): T[] {
  return runs.filter((r) => r.state === 'queued' || r.state === 'running' || r.state === 'paused');
}
