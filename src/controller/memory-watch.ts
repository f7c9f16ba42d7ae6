// Enforces limits.memory: samples the resident memory of each limited service's whole process
// group on one shared timer, with one read of /proc for all of them, and reports a group that
// stays above its limit. Contract:
//   in:  add(key, pid, limit) when a limited process starts, remove(key, pid) when it has exited
//   out: onExceeded once per process, after EXCEEDED_SAMPLES consecutive samples above the limit
//   never: stops anything itself (the controller decides), or samples when nothing is limited.
import { groupsUsage } from '../process/index.ts';

/** Time between two samples of a limited service's memory. */
export const MEMORY_SAMPLE_MS = 2000;
/**
 * Consecutive samples above the limit before it counts as exceeded: one sample catches a
 * short peak (a garbage collector about to run, a fork before exec); two say it stays there.
 */
export const EXCEEDED_SAMPLES = 2;

interface Watched {
  pid: number;
  limitBytes: number;
  over: number;
  reported: boolean;
}

/** The memory sampler of one runner. */
export class MemoryWatch {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onExceeded: (key: string, pid: number, limitBytes: number, rssBytes: number) => void,
    private readonly intervalMs = MEMORY_SAMPLE_MS,
  ) {}

  /** Starts sampling the group led by pid against limitBytes. */
  add(key: string, pid: number, limitBytes: number): void {
    this.watched.set(key, { pid, limitBytes, over: 0, reported: false });
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sample(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Stops sampling key's process (a newer process of the same key is left alone). */
  remove(key: string, pid: number): void {
    if (this.watched.get(key)?.pid !== pid) return;
    this.watched.delete(key);
    if (this.watched.size === 0) this.stop();
  }

  /** Stops the timer and forgets every process. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  private sample(): void {
    const usage = groupsUsage(new Set([...this.watched.values()].filter((w) => !w.reported).map((w) => w.pid)));
    for (const [key, w] of this.watched) {
      const u = usage.get(w.pid);
      if (w.reported || u === undefined) continue;
      const { rssBytes, processes } = u;
      w.over = processes > 0 && rssBytes > w.limitBytes ? w.over + 1 : 0;
      if (w.over < EXCEEDED_SAMPLES) continue;
      w.reported = true;
      this.onExceeded(key, w.pid, w.limitBytes, rssBytes);
    }
  }
}
