// The latencies of run commands and heartbeats, read off the run events as the live state sees
// them: a command's sent → delivered and delivered → acked times (the events' own timestamps,
// stamped by the registry), and the gap between two heartbeats of a run. Kept here without
// prom-client, so ApiMetrics can count before its registry is loaded (metrics.ts).
import type { NestorEvent, Stored } from '../events/index.ts';

/** One latency to observe, in seconds, with the command type (or '' for heartbeats). */
export interface RunLatency {
  kind: 'run-delivery' | 'run-ack' | 'run-heartbeat-gap';
  type: string;
  value: number;
}

// Commands followed at once; past this many the oldest are forgotten (a command never delivered
// must not grow the map for ever).
const MAX_TRACKED = 10_000;

/** Follows run commands and heartbeats through their events; finished runs are forgotten. */
export class RunCommandTimes {
  readonly #commands = new Map<string, { type: string; sentAt: number; deliveredAt: number | null }>();
  readonly #heartbeats = new Map<string, number>();

  /** The latencies `event` completes (none for most events). */
  observe(event: Stored<NestorEvent>): RunLatency[] {
    const at = Date.parse(event.timestamp);
    if (Number.isNaN(at)) return [];
    if (event.type === 'orchestrator.run.command.sent') {
      const key = `${event.data.id}\0${event.data.command.id}`;
      if (!this.#commands.has(key)) this.#commands.set(key, { type: event.data.command.type, sentAt: at, deliveredAt: null });
      this.#trim();
    } else if (event.type === 'orchestrator.run.command.delivered') {
      const c = this.#commands.get(`${event.data.id}\0${event.data.commandId}`);
      if (c === undefined || c.deliveredAt !== null) return [];
      c.deliveredAt = at;
      return [{ kind: 'run-delivery', type: c.type, value: Math.max(0, at - c.sentAt) / 1000 }];
    } else if (event.type === 'orchestrator.run.command.acked') {
      const key = `${event.data.id}\0${event.data.commandId}`;
      const c = this.#commands.get(key);
      this.#commands.delete(key);
      // An ack without a delivery stamp (the job read the command another way) counts from the send.
      return c === undefined ? [] : [{ kind: 'run-ack', type: c.type, value: Math.max(0, at - (c.deliveredAt ?? c.sentAt)) / 1000 }];
    } else if (event.type === 'orchestrator.run.heartbeat') {
      const before = this.#heartbeats.get(event.data.id);
      this.#heartbeats.set(event.data.id, at);
      return before === undefined ? [] : [{ kind: 'run-heartbeat-gap', type: '', value: Math.max(0, at - before) / 1000 }];
    } else if (event.type === 'orchestrator.run.state') {
      const to = event.data.to;
      if (to === 'succeeded' || to === 'failed' || to === 'terminated') this.#forget(event.data.id);
    }
    return [];
  }

  #forget(run: string): void {
    this.#heartbeats.delete(run);
    for (const key of this.#commands.keys()) if (key.startsWith(`${run}\0`)) this.#commands.delete(key);
  }

  #trim(): void {
    for (const key of this.#commands.keys()) {
      if (this.#commands.size <= MAX_TRACKED) return;
      this.#commands.delete(key);
    }
  }
}
