// Watches /proc while a storm runs: how many live processes each service has at each sample.
// Independent of Nestor's events, so it also sees a process spawned before its start event.
import { setTimeout as sleep } from 'node:timers/promises';
import { liveServiceChildren } from './procs.ts';

/** What the sampler saw. */
export interface SamplerReport {
  samples: number;
  /** Highest number of live processes of one service in one sample. */
  maxPerService: Record<string, number>;
  /** Samples where a service had two or more live processes, with their pids. */
  overlaps: { service: string; pids: number[]; atMs: number }[];
}

/** Samples every `everyMs` until `signal` aborts; resolves with what it saw. */
export async function sampleProcesses(signal: AbortSignal, everyMs = 20): Promise<SamplerReport> {
  const report: SamplerReport = { samples: 0, maxPerService: {}, overlaps: [] };
  const t0 = performance.now();
  while (!signal.aborted) {
    for (const [service, pids] of liveServiceChildren()) {
      report.maxPerService[service] = Math.max(report.maxPerService[service] ?? 0, pids.length);
      if (pids.length > 1) report.overlaps.push({ service, pids, atMs: Math.round(performance.now() - t0) });
    }
    report.samples++;
    await sleep(everyMs, undefined, { signal }).catch(() => {});
  }
  return report;
}
