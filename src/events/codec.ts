// Encoding and decoding of envelopes. Decoding never throws: a consumer loop gets either an
// event or a typed reason to skip it, and counts the skip: one bad message must neither stop a
// reader nor go unnoticed.
import * as z from 'zod';
import { compileCheck } from './payload-check.ts';
import type { PayloadCheck } from './payload-check.ts';
import { payloadSchemas } from './payloads.ts';
import { ENVELOPE_VERSION } from './types.ts';
import type { Envelope, EventType, NestorEvent, Origin, PayloadOf } from './types.ts';

/** Why a message was skipped. */
export type SkipReason = 'json' | 'envelope' | 'version' | 'type' | 'payload';

/** The outcome of decoding one message. */
export type Decoded =
  | { ok: true; event: NestorEvent }
  | { ok: false; reason: SkipReason; detail: string };

const envelopeSchema = z.looseObject({
  version: z.number(),
  id: z.string().min(1),
  type: z.string().min(1),
  timestamp: z.string().min(1),
  origin: z.looseObject({ node: z.string().min(1), component: z.string().min(1) }),
  data: z.unknown(),
});

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/** True when `type` is an event type this code knows. */
export function isEventType(type: string): type is EventType {
  return Object.hasOwn(payloadSchemas, type);
}

/** Serializes an event to the bytes published on the bus. */
export function encode(event: NestorEvent): Uint8Array {
  return textEncoder.encode(JSON.stringify(event));
}

/** Decodes bytes (or a parsed object) into a validated event, or a reason to skip it. */
export function decode(input: Uint8Array | string | unknown): Decoded {
  let raw: unknown = input;
  if (input instanceof Uint8Array || typeof input === 'string') {
    try {
      raw = JSON.parse(typeof input === 'string' ? input : textDecoder.decode(input));
    } catch (err) {
      return { ok: false, reason: 'json', detail: (err as Error).message };
    }
  }
  // The envelope is checked by hand on the hot path (replay decodes every stored event); the
  // schema runs only to explain a failure.
  if (!isEnvelope(raw)) {
    const env = envelopeSchema.safeParse(raw);
    return { ok: false, reason: 'envelope', detail: env.success ? 'invalid envelope' : describeIssues(env.error) };
  }
  if (Math.floor(raw.version) > ENVELOPE_VERSION) {
    return { ok: false, reason: 'version', detail: `version ${raw.version} is newer than ${ENVELOPE_VERSION}` };
  }
  const type = raw.type;
  if (!isEventType(type)) return { ok: false, reason: 'type', detail: `unknown event type ${type}` };
  // A payload we parsed ourselves that zod would return unchanged is used as it is (see
  // payload-check.ts); anything else goes through zod, which decides and explains.
  if (raw !== input && fastChecks[type](raw.data)) return { ok: true, event: raw as NestorEvent };
  const data = payloadSchemas[type].safeParse(raw.data);
  if (!data.success) return { ok: false, reason: 'payload', detail: `${type}: ${describeIssues(data.error)}` };
  // `raw` is ours when we parsed it (no copy needed); a caller's object is copied, not changed.
  const event = raw === input ? { ...raw } : raw;
  event.data = data.data;
  return { ok: true, event: event as NestorEvent };
}

type RawEnvelope = z.infer<typeof envelopeSchema>;

const fastChecks = Object.fromEntries(Object.entries(payloadSchemas).map(([type, schema]) => [type, compileCheck(schema)])) as Record<EventType, PayloadCheck>;

function isEnvelope(raw: unknown): raw is RawEnvelope {
  if (typeof raw !== 'object' || raw === null) return false;
  const e = raw as Record<string, unknown>;
  const origin = e.origin as Record<string, unknown> | null | undefined;
  return (
    typeof e.version === 'number' &&
    typeof e.id === 'string' &&
    e.id !== '' &&
    typeof e.type === 'string' &&
    e.type !== '' &&
    typeof e.timestamp === 'string' &&
    e.timestamp !== '' &&
    typeof origin === 'object' &&
    origin !== null &&
    typeof origin.node === 'string' &&
    origin.node !== '' &&
    typeof origin.component === 'string' &&
    origin.component !== '' &&
    'data' in e
  );
}

/** Validates a payload for a type before publishing; returns the problems, empty when valid. */
export function validatePayload<T extends EventType>(type: T, data: unknown): string[] {
  const res = payloadSchemas[type].safeParse(data);
  return res.success ? [] : res.error.issues.map((i) => `${['data', ...i.path].join('.')}: ${i.message}`);
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** Fields an event needs besides its type and payload; supplied by the shell (clock, ids). */
export interface EventMeta {
  id: string;
  timestamp: string;
  origin: Origin;
}

/** Builds an envelope. Pure: the id and timestamp come from the caller. */
export function makeEvent<T extends EventType>(type: T, data: PayloadOf<T>, meta: EventMeta): Envelope<T, PayloadOf<T>> {
  return { version: ENVELOPE_VERSION, id: meta.id, type, timestamp: meta.timestamp, origin: meta.origin, data };
}

/** Counters of decoded and skipped messages, by reason; surfaced in metrics. */
export interface DecodeStats {
  decoded: number;
  skipped: Record<SkipReason, number>;
}

/** A zeroed counter set. */
export function emptyDecodeStats(): DecodeStats {
  return { decoded: 0, skipped: { json: 0, envelope: 0, version: 0, type: 0, payload: 0 } };
}

/** Adds one decode outcome to the counters (mutates and returns them; counters are local). */
export function countDecoded(stats: DecodeStats, result: Decoded): DecodeStats {
  if (result.ok) stats.decoded++;
  else stats.skipped[result.reason]++;
  return stats;
}
