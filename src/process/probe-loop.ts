// Repeats a probe on its schedule and reports status changes, not every attempt. Attempts never
// overlap. After the first, attempts start on the shared tick of their interval (probe-clock.ts):
// the first tick at least half an interval after the previous attempt ended, so quick attempts
// are one interval apart, start to start, and loops with equal intervals probe together.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeSpec } from '../spec/index.ts';
import { waitForTick } from './probe-clock.ts';
import type { ClockWaiter } from './probe-clock.ts';
import { runProbe } from './probes.ts';
import type { ProbeResult } from './probes.ts';

/** Reported probe status. */
export type ProbeLoopStatus = 'passing' | 'failing';

/** Callbacks of a probe loop. */
export interface ProbeLoopHooks {
  /**
   * 'passing' on the first success after start or after failing; 'failing' once
   * failureThreshold consecutive attempts have failed. Never twice in a row with one status.
   */
  onChange(status: ProbeLoopStatus, result: ProbeResult, consecutiveFailures: number): void;
  /** Every attempt, for metrics and debugging. */
  onResult?(result: ProbeResult, consecutiveFailures: number): void;
  /** A hook threw: the loop stops. Without this, the error is rethrown as uncaught. */
  onError?(err: unknown): void;
  /** Environment and cwd for exec probes (normally the service's). */
  env?: Record<string, string>;
  cwd?: string;
}

/** A running probe loop. */
export interface ProbeLoop {
  /** Stops the loop and aborts an attempt in flight; no hook runs afterwards. */
  stop(): void;
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err instanceof Error && err.name === 'AbortError');
}

/** Starts probing after probe.initialDelayMs, every probe.intervalMs. */
export function startProbeLoop(probe: ProbeSpec, hooks: ProbeLoopHooks): ProbeLoop {
  const ac = new AbortController();
  const { signal } = ac;
  const threshold = Math.max(1, probe.failureThreshold);
  let status: ProbeLoopStatus | null = null;
  let failures = 0;
  // Each loop keeps its own state and thresholds; only the timer is shared with the loops of the
  // same interval. The half-interval margin keeps a slow attempt (one ending just before a tick)
  // from being followed at once by the next.
  let offClock: (() => void) | undefined;
  const waiter: ClockWaiter = { due: 0, run: () => tick() };
  const attempt = async (): Promise<void> => {
    const result = await runProbe(probe, { signal, env: hooks.env, cwd: hooks.cwd });
    if (signal.aborted) return;
    failures = result.ok ? 0 : failures + 1;
    hooks.onResult?.(result, failures);
    if (result.ok && status !== 'passing') {
      status = 'passing';
      hooks.onChange('passing', result, 0);
    } else if (!result.ok && failures >= threshold && status !== 'failing') {
      status = 'failing';
      hooks.onChange('failing', result, failures);
    }
    if (signal.aborted) return;
    waiter.due = performance.now() + probe.intervalMs / 2;
    offClock = waitForTick(probe.intervalMs, waiter);
  };
  const tick = (): void => {
    attempt().catch((err: unknown) => {
      if (isAbort(err, signal)) return;
      if (hooks.onError) hooks.onError(err);
      else
        process.nextTick(() => {
          throw err;
        });
    });
  };
  const first = setTimeout(tick, probe.initialDelayMs);
  return {
    stop: () => {
      clearTimeout(first);
      offClock?.();
      ac.abort();
    },
  };
}

/** Options of waitReady. */
export interface WaitReadyOptions {
  /** Aborting rejects the wait with the signal's reason. */
  signal?: AbortSignal;
  /** Every attempt, for progress reporting. */
  onResult?(result: ProbeResult, attempt: number): void;
  env?: Record<string, string>;
  cwd?: string;
}

/** Resolves with the first successful attempt (after initialDelayMs, then every intervalMs). */
export async function waitReady(probe: ProbeSpec, options: WaitReadyOptions = {}): Promise<ProbeResult> {
  const { signal } = options;
  try {
    signal?.throwIfAborted();
    await sleep(probe.initialDelayMs, undefined, { signal });
    for (let attempt = 1; ; attempt++) {
      const result = await runProbe(probe, { signal, env: options.env, cwd: options.cwd });
      signal?.throwIfAborted();
      options.onResult?.(result, attempt);
      if (result.ok) return result;
      await sleep(probe.intervalMs, undefined, { signal });
    }
  } catch (err) {
    // timers/promises rejects with its own AbortError; callers expect the reason they aborted with.
    if (signal?.aborted) throw signal.reason;
    throw err;
  }
}
