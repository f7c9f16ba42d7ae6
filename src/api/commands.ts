// Commands from HTTP clients (REST and the dashboard) go the same way as the CLI's: a request
// to the owning node's controller over NATS, answered with the controller's outcome. Here the
// outcome becomes an HTTP status: 404 unknown service, 409 impossible in the service's state,
// 503 while shutting down or when no controller answers.
import { isNoResponders, isTimeout, requestCommand } from '../bus/index.ts';
import type { BusReader } from '../bus/index.ts';
import type { CommandVerb } from '../events/index.ts';
import { getService } from '../state/index.ts';
import type { State } from '../state/index.ts';

/** A command's answer as the API returns it. */
export interface CommandResult {
  ok: boolean;
  service: string;
  verb: CommandVerb;
  message: string;
  code?: string;
}

/** A command's answer with its HTTP status. */
export interface CommandOutcome {
  status: number;
  body: CommandResult;
}

const STATUS_OF: Record<string, number> = {
  'unknown-service': 404,
  'invalid-transition': 409,
  'shutting-down': 503,
  'bad-request': 400,
  'no-controller': 503,
  timeout: 504,
};

/** Sends a command to the controller of the node that runs `service` and maps its answer. */
export async function sendCommand(
  bus: BusReader,
  state: State,
  verb: CommandVerb,
  service: string,
  requestedBy: { node: string; component: string },
  timeoutMs = 10_000,
): Promise<CommandOutcome> {
  const refuse = (code: string, message: string): CommandOutcome => ({ status: STATUS_OF[code] ?? 500, body: { ok: false, service, verb, message, code } });
  const svc = getService(state, service);
  if (svc === undefined) return refuse('unknown-service', `unknown service "${service}"`);
  let reply;
  try {
    reply = await requestCommand(bus, svc.node, verb, { service, requestedBy }, timeoutMs);
  } catch (err) {
    if (isNoResponders(err)) return refuse('no-controller', `no controller of node ${svc.node} answers`);
    if (isTimeout(err)) return refuse('timeout', `node ${svc.node} did not answer within ${timeoutMs} ms`);
    throw err;
  }
  if (reply.ok) return { status: 200, body: { ok: true, service, verb, message: reply.message } };
  return refuse(reply.code, reply.message);
}
