// Publishing one event: validated against the contract first (what we publish is exactly what
// consumers accept), then sent with `msgID` = the event id so a retry inside the stream's
// duplicate window is stored once. Timeouts and "no responders"/503 (a cluster electing a new
// stream leader, ≈4-5 s after a leader is killed) are retried within a bounded time.
import { JetStreamApiError } from '@nats-io/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { decode, encode, ID_PATTERN, subjectFor } from '../events/index.ts';
import type { NestorEvent } from '../events/index.ts';
import { InvalidEventError, PublishError } from './errors.ts';

/** The stream's acknowledgement of a publish. */
export interface PublishResult {
  /** Stream sequence of the stored message (of the first copy, for a duplicate). */
  seq: number;
  /** True when the id was already stored within the duplicate window. */
  duplicate: boolean;
}

/** Bounds of the publish retry loop. */
export interface PublishRetry {
  /** Give up once this much time has passed since the first attempt. */
  totalMs: number;
  /** Timeout of one attempt. */
  attemptTimeoutMs: number;
}

/** Covers a stream leader re-election in a cluster with margin. */
export const DEFAULT_PUBLISH_RETRY: PublishRetry = { totalMs: 8_000, attemptTimeoutMs: 2_000 };

/** Throws InvalidEventError unless `event` decodes as the contract says. */
export function assertValidEvent(event: NestorEvent): Uint8Array {
  const bytes = encode(event);
  const problems: string[] = [];
  const decoded = decode(bytes);
  if (!decoded.ok) problems.push(`${decoded.reason}: ${decoded.detail}`);
  // The node is a subject token; a dot or a space in it would scramble every filter.
  if (!ID_PATTERN.test(event.origin.node)) problems.push(`origin.node ${JSON.stringify(event.origin.node)} is not a valid id`);
  if (problems.length > 0) throw new InvalidEventError(String(event.type), problems);
  return bytes;
}

/** Publishes one event to the stream, retrying transient failures. */
export async function publishEvent(js: JetStreamClient, event: NestorEvent, retry: PublishRetry = DEFAULT_PUBLISH_RETRY): Promise<PublishResult> {
  const data = assertValidEvent(event);
  const subject = subjectFor(event);
  const giveUpAt = Date.now() + retry.totalMs;
  for (let attempt = 1, delay = 50; ; attempt++, delay = Math.min(delay * 2, 1_000)) {
    try {
      const ack = await js.publish(subject, data, { msgID: event.id, timeout: retry.attemptTimeoutMs });
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      if (!isRetryable(err) || Date.now() + delay >= giveUpAt) throw new PublishError(subject, event.id, attempt, { cause: err });
      await sleep(delay);
    }
  }
}

/** True for failures that a later attempt may not meet: timeouts, no responders, 503. */
export function isRetryable(err: unknown): boolean {
  return someCause(err, (e) => e instanceof TimeoutError || (e instanceof JetStreamApiError && e.status === 503)) || isNoResponders(err);
}

/** True when nobody answered a request: on a JetStream subject, no JetStream (yet) there. */
export function isNoResponders(err: unknown): boolean {
  // The client wraps this in JetStreamNotEnabled, which it does not export; the cause chain
  // still holds the RequestError.
  return someCause(err, (e) => e instanceof NoRespondersError || (e instanceof RequestError && e.isNoResponders()));
}

/** True when a request timed out waiting for its answer. */
export function isTimeout(err: unknown): boolean {
  return someCause(err, (e) => e instanceof TimeoutError);
}

function someCause(err: unknown, test: (e: Error) => boolean): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (test(e)) return true;
  }
  return false;
}
