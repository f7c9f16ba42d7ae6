// Where the clock and randomness enter event creation: the pure core (makeEvent, makeEventId)
// takes them as arguments, this shell supplies the real ones (or a test's).
import { randomFillSync } from 'node:crypto';
import { makeEvent, makeEventId } from '../events/index.ts';
import type { Envelope, EventType, PayloadOf } from '../events/index.ts';

/** Options of {@link createEventFactory}. */
export interface EventFactoryOptions {
  node: string;
  /** Who on the node emits the events (controller, cli, sdk, harness...). */
  component: string;
  now?: () => Date;
  /** `n` random bytes. */
  random?: (n: number) => Uint8Array;
}

/** Builds a complete envelope from a type and its payload. */
export type EventFactory = <T extends EventType>(type: T, data: PayloadOf<T>) => Envelope<T, PayloadOf<T>>;

/**
 * `n` crypto-random bytes, drawn from a pool refilled 4 KB at a time: one randomFillSync per
 * event cost ~0.25 ms each on a loaded machine (a call into OpenSSL every time), a visible share
 * of the orchestrator's loop while hundreds of services start.
 */
function pooledRandom(): (n: number) => Uint8Array {
  const pool = new Uint8Array(4096);
  let at = pool.length;
  return (n) => {
    if (n > pool.length) return randomFillSync(new Uint8Array(n));
    if (at + n > pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    // A copy: the pool is overwritten on its next refill.
    const out = pool.slice(at, at + n);
    at += n;
    return out;
  };
}

/** An event factory stamping id, timestamp and origin. */
export function createEventFactory(opts: EventFactoryOptions): EventFactory {
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? pooledRandom();
  const origin = { node: opts.node, component: opts.component };
  return (type, data) => {
    const at = now();
    return makeEvent(type, data, { id: makeEventId(at.getTime(), random(10)), timestamp: at.toISOString(), origin: { ...origin } });
  };
}
