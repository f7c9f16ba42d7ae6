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

/** An event factory stamping id, timestamp and origin. */
export function createEventFactory(opts: EventFactoryOptions): EventFactory {
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? ((n: number) => randomFillSync(new Uint8Array(n)));
  const origin = { node: opts.node, component: opts.component };
  return (type, data) => {
    const at = now();
    return makeEvent(type, data, { id: makeEventId(at.getTime(), random(10)), timestamp: at.toISOString(), origin: { ...origin } });
  };
}
