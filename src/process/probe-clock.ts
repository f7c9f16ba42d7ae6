// Shared ticks for probe loops: one timer per interval value, however many loops use it. With
// one timer per loop, hundreds of services meant hundreds of separate event-loop wakeups a
// second (each attempt's timer, connect, response and close apart); on a shared tick every due
// attempt is sent in one burst, which cost about 40 % less CPU at 500 services.

/** A loop waiting for its next attempt on a clock. */
export interface ClockWaiter {
  /** performance.now() from which a tick may start the attempt. */
  due: number;
  /** Starts the attempt; called once, after which the waiter is off the clock. */
  run(): void;
}

/** One timer ticking every intervalMs while any loop waits on it. */
class ProbeClock {
  private readonly waiting = new Set<ClockWaiter>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly intervalMs: number,
    private readonly onIdle: () => void,
  ) {}

  add(waiter: ClockWaiter): void {
    this.waiting.add(waiter);
    this.timer ??= setInterval(this.tick, this.intervalMs);
  }

  remove(waiter: ClockWaiter): void {
    this.waiting.delete(waiter);
    this.stopIfIdle();
  }

  private readonly tick = (): void => {
    const now = performance.now();
    for (const waiter of this.waiting) {
      if (waiter.due > now) continue;
      this.waiting.delete(waiter);
      waiter.run();
    }
    this.stopIfIdle();
  };

  private stopIfIdle(): void {
    if (this.waiting.size > 0 || this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.onIdle();
  }
}

const clocks = new Map<number, ProbeClock>();

/**
 * Puts a waiter on the shared clock of intervalMs; it runs on the first tick at or after its due
 * time. Returns a function taking it off again (harmless after it ran).
 */
export function waitForTick(intervalMs: number, waiter: ClockWaiter): () => void {
  let clock = clocks.get(intervalMs);
  if (clock === undefined) {
    const created = new ProbeClock(intervalMs, () => {
      if (clocks.get(intervalMs) === created) clocks.delete(intervalMs);
    });
    clocks.set(intervalMs, created);
    clock = created;
  }
  const own = clock;
  own.add(waiter);
  return () => own.remove(waiter);
}
