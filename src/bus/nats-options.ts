// Connection options shared by the node's connection and the CLI's: one place maps the
// configured credentials (embedded per-project ones, or an external cluster's user/password,
// token or creds file) onto the client's options, so both always authenticate the same way.
import { readFile } from 'node:fs/promises';
import { credsAuthenticator } from '@nats-io/transport-node';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import type { NestorConfig } from '../config/index.ts';
import type { EmbeddedCredentials } from './credentials.ts';
import { BusUnavailableError } from './errors.ts';

/** How a connection rides out an outage once it was up. */
export interface ReconnectPolicy {
  /** -1: forever. */
  attempts: number;
  waitMs: number;
}

/** Client options for `urls`: the name shown in /connz, the reconnect policy, the credentials. */
export async function natsOptions(
  config: NestorConfig,
  urls: string[],
  name: string,
  reconnect: ReconnectPolicy,
  embedded: EmbeddedCredentials | null,
): Promise<NodeConnectionOptions> {
  const { nats } = config;
  // noAsyncTraces: otherwise the client builds an Error (a stack capture) per request and
  // publish, ~10 % of a busy node's time; our errors name the operation and subject themselves.
  const base: NodeConnectionOptions = { servers: urls, name, maxReconnectAttempts: reconnect.attempts, reconnectTimeWait: reconnect.waitMs, noAsyncTraces: true };
  if (embedded !== null) return { ...base, ...credentialOptions(embedded) };
  if (nats.user !== undefined) return { ...base, user: nats.user, pass: nats.pass ?? '' };
  if (nats.token !== undefined) return { ...base, token: nats.token };
  if (nats.creds !== undefined) {
    let creds: Uint8Array;
    try {
      creds = new Uint8Array(await readFile(nats.creds));
    } catch (err) {
      throw new BusUnavailableError(nats.mode, urls, `cannot read the credentials file ${nats.creds}`, 'Check nats.creds (NESTOR_NATS_CREDS).', { cause: err });
    }
    return { ...base, authenticator: credsAuthenticator(creds) };
  }
  return base;
}

/** Connection options presenting embedded-server credentials. */
export function credentialOptions(creds: EmbeddedCredentials): Pick<NodeConnectionOptions, 'token' | 'user' | 'pass'> {
  return 'token' in creds ? { token: creds.token } : { user: creds.user, pass: creds.pass };
}
