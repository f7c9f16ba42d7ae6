// Runtime self-registration: a service publishes its own spec as an
// `orchestrator.service.register` event. Contract:
//   in:  a NATS connection (connectFromEnv) and a raw spec in the project-file format (docs/spec.md)
//   out: the stored event and its stream sequence
//   emits: orchestrator.service.register on orchestrator.service.<node>.<service>.register,
//          published through JetStream with msgID = event id, so a retried publish is stored once.
// The controller validates the spec; the SDK checks only what it needs to build the subject.
// The NATS client and the event contract (zod) are loaded on first use: a service that only
// calls readServiceEnv() should not pay for them at every start.
import { randomBytes } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ServiceRegistered } from '../events/index.ts';
import { specHash } from './canonical.ts';
import { NESTOR_ENV } from './env.ts';
import { SdkError } from './errors.ts';

/** Options of connectFromEnv. */
export interface ConnectOptions {
  env?: NodeJS.ProcessEnv;
  /** Connection name shown by the server (defaults to NESTOR_SERVICE or "nestor-sdk"). */
  name?: string;
  timeoutMs?: number;
}

/** Connects to the bus named by NESTOR_NATS_URL (comma-separated URLs), which the controller sets. */
export async function connectFromEnv(options: ConnectOptions = {}): Promise<NatsConnection> {
  const env = options.env ?? process.env;
  const raw = env[NESTOR_ENV.natsUrl]?.trim();
  if (!raw) throw new SdkError('missing-env', `${NESTOR_ENV.natsUrl} is not set; is the service running under nestor?`);
  const servers = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const { connect } = await import('@nats-io/transport-node');
  try {
    const token = env[NESTOR_ENV.natsToken];
    const user = env[NESTOR_ENV.natsUser];
    const auth = token ? { token } : user ? { user, pass: env[NESTOR_ENV.natsPass] ?? '' } : {};
    return await connect({
      servers,
      name: options.name ?? env[NESTOR_ENV.service] ?? 'nestor-sdk',
      timeout: options.timeoutMs ?? 5000,
      // No stack capture per request/publish (a heartbeat is one); SdkError names the operation.
      noAsyncTraces: true,
      ...auth,
    });
  } catch (err) {
    throw new SdkError('connect-failed', `cannot connect to ${servers.join(',')}: ${(err as Error).message}`, { cause: err });
  }
}

/** Options of registerSpec. */
export interface RegisterOptions {
  /** Version the caller gives this spec (default 1). */
  specVersion?: number;
  /** Origin node of the event (default NESTOR_NODE). */
  node?: string;
  /** Where the spec came from, for the audit trail (default "sdk"). */
  source?: string;
  /** Origin component (default "sdk"). */
  component?: string;
  env?: NodeJS.ProcessEnv;
  /** JetStream publish timeout. */
  timeoutMs?: number;
}

/** The outcome of a registration. */
export interface Registration {
  event: ServiceRegistered;
  subject: string;
  /** Stream sequence of the stored event. */
  seq: number;
  /** True when JetStream had already stored this msgID (a retry). */
  duplicate: boolean;
}

/** Publishes `spec` (with a string `id`) as an orchestrator.service.register event. */
export async function registerSpec(nc: NatsConnection, spec: Record<string, unknown>, options: RegisterOptions = {}): Promise<Registration> {
  const env = options.env ?? process.env;
  const event = await buildRegisterEvent(spec, { ...options, node: options.node ?? env[NESTOR_ENV.node] });
  const { subjectFor, encode } = await import('../events/index.ts');
  const { jetstream } = await import('@nats-io/jetstream');
  const subject = subjectFor(event);
  try {
    const ack = await jetstream(nc).publish(subject, encode(event), { msgID: event.id, timeout: options.timeoutMs ?? 5000 });
    return { event, subject, seq: ack.seq, duplicate: ack.duplicate };
  } catch (err) {
    throw new SdkError('publish-failed', `register ${event.data.service} on ${subject}: ${(err as Error).message}`, { cause: err });
  }
}

/** Builds (without publishing) the register event for a spec; exported for callers that publish themselves. */
export async function buildRegisterEvent(spec: Record<string, unknown>, options: RegisterOptions = {}): Promise<ServiceRegistered> {
  const { ID_PATTERN, makeEvent, makeEventId, validatePayload } = await import('../events/index.ts');
  const service = spec.id;
  if (typeof service !== 'string' || !ID_PATTERN.test(service)) {
    throw new SdkError('invalid-spec', `spec.id must be a service id matching ${ID_PATTERN}, got ${JSON.stringify(service)}`);
  }
  const node = options.node?.trim();
  if (!node) throw new SdkError('missing-env', `no node id: pass options.node or set ${NESTOR_ENV.node}`);
  const data = {
    service,
    spec,
    specVersion: options.specVersion ?? 1,
    specHash: specHash(spec),
    source: options.source ?? 'sdk',
  };
  const problems = validatePayload('orchestrator.service.register', data);
  if (problems.length > 0) throw new SdkError('invalid-spec', problems.join('; '));
  const now = Date.now();
  return makeEvent('orchestrator.service.register', data, {
    id: makeEventId(now, randomBytes(10)),
    timestamp: new Date(now).toISOString(),
    origin: { node, component: options.component ?? 'sdk' },
  });
}
