// Run summaries for the runs views' tests (views, dashboard, TUI): a running mnist run with four
// heartbeats of loss and acc, 3 s after its last one at NOW.
import type { RunSummary } from '../../src/runs/core/index.ts';

/** The clock of the fixtures. */
export const NOW = new Date('2026-01-01T10:00:30.000Z');

/** A run summary with sensible defaults. */
export function runFixture(over: Partial<RunSummary> = {}): RunSummary {
  const history = [0.9, 0.7, 0.5, 0.4].map((loss, i) => ({ at: `2026-01-01T10:00:${String(10 + i * 5).padStart(2, '0')}.000Z`, step: (i + 1) * 10, metrics: { loss, acc: i / 4 } }));
  return {
    id: 'r-1',
    experiment: 'mnist',
    version: '3',
    params: { lr: 0.01, optimizer: 'adam' },
    state: 'running',
    runtimeStatus: 'training',
    health: 'healthy',
    heartbeatIntervalMs: 5_000,
    step: 40,
    checkpointVersion: 2,
    metrics: { loss: 0.4, acc: 0.75 },
    binding: { node: 'n1', instance: 'trainer', service: 'trainer', pid: 4242, processControl: true },
    createdAt: '2026-01-01T10:00:00.000Z',
    startedAt: '2026-01-01T10:00:10.000Z',
    lastHeartbeatAt: '2026-01-01T10:00:27.000Z',
    finishedAt: null,
    error: null,
    pendingCommands: 1,
    history,
    ...over,
  };
}

