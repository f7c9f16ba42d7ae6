// Commands from HTTP clients (REST and the dashboard) go the same way as the CLI's: a request
// to the owning node's controller over NATS, answered with the controller's outcome. Here the
// outcome becomes an HTTP status: 404 unknown service or instance, 409 impossible in the
// service's state, 503 while shutting down or when the owning node's controller does not answer.
import { isNoResponders, isTimeout, requestCommand } from '../bus/index.ts';
import type { BusReader } from '../bus/index.ts';
import { instanceName } from '../events/index.ts';
import type { CommandVerb } from '../events/index.ts';
import { getService } from '../state/index.ts';
import type { State } from '../state/index.ts';
import { resolveTarget, silenceReason } from '../views/index.ts';

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
};

/**
 * Sends a command to the controller of the node that runs each instance it names (a service id:
 * every instance; `<service>@<n>`: that one) and maps the answers: the first refusal, or 200.
 */
export async function sendCommand(
  bus: BusReader,
  state: State,
  verb: CommandVerb,
  service: string,
  requestedBy: { node: string; component: string },
  timeoutMs = 10_000,
): Promise<CommandOutcome> {
  const refuse = (code: string, message: string): CommandOutcome => ({ status: STATUS_OF[code] ?? 500, body: { ok: false, service, verb, message, code } });
  const target = resolveTarget(state, service);
  if (target.kind === 'unknown-service') return refuse('unknown-service', `unknown service "${service}"`);
  if (target.kind === 'unknown-instance') return refuse('unknown-service', `unknown instance "${service}"; ${target.service} has ${target.known.join(', ')}`);
  const keys = target.kind === 'instance' ? [target.key] : target.keys;
  const messages: string[] = [];
  for (const key of keys) {
    const svc = getService(state, key);
    // An instance waiting for a node has no controller yet; the asking node's words the refusal.
    const node = svc?.node || requestedBy.node;
    let reply;
    try {
      reply = await requestCommand(bus, node, verb, { service: key, requestedBy }, timeoutMs);
    } catch (err) {
      if (!isNoResponders(err) && !isTimeout(err)) throw err;
      const name = svc === undefined ? key : instanceName(svc.service, svc.instance);
      return refuse('no-controller', `${name} runs on node ${node}, which does not answer (${silenceReason(state, node)})`);
    }
    if (!reply.ok) return refuse(reply.code, reply.message);
    messages.push(reply.message);
  }
  return { status: 200, body: { ok: true, service, verb, message: messages.join('; ') } };
}
