// The NATS handles behind a reader or writer. They are kept off the public objects so that a
// shell cannot reach past the bus interface; only this module's functions look them up.
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/** The client library's handles of one connection. */
export interface NatsHandles {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

const handles = new WeakMap<object, NatsHandles>();

/** Records the handles behind `bus` and returns it. */
export function attachHandles<T extends object>(bus: T, h: NatsHandles): T {
  handles.set(bus, h);
  return bus;
}

/** The handles behind a reader or writer made by this module. */
export function handlesOf(bus: object): NatsHandles {
  const h = handles.get(bus);
  // A hand-built object (a test double) has none: fail loudly rather than read nothing.
  if (h === undefined) throw new Error('this bus was not made by connectBus or connectReader');
  return h;
}
