// One request of the registry, whichever way it came (the bus, the HTTP API): the operation,
// the run, the command, the body. Bodies are validated here, so both ways refuse the same
// bodies with the same messages; a refusal is a reply with its code, never a throw.
import type { RunOp, RunReply, RunRequest } from './core/index.ts';
import { RunError, checkRunId, parseBinding, parseCommand, parseCreate, parseFinish, parseHeartbeat, parseListFilter } from './core/index.ts';
import type { RunRegistry } from './registry.ts';

/** Answers one registry request. */
export async function handleRunRequest(registry: RunRegistry, op: RunOp, req: RunRequest): Promise<RunReply> {
  try {
    return { ok: true, data: await dispatch(registry, op, req) };
  } catch (err) {
    if (!(err instanceof RunError)) throw err;
    return { ok: false, code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) };
  }
}

async function dispatch(registry: RunRegistry, op: RunOp, req: RunRequest): Promise<unknown> {
  const by = typeof req.by === 'string' && req.by !== '' ? req.by.slice(0, 64) : 'api';
  switch (op) {
    case 'create': {
      const body = objectOr(req.body);
      const { binding, ...rest } = body;
      return registry.create(parseCreate(rest), binding === undefined || binding === null ? null : parseBinding(binding), by);
    }
    case 'get':
      return registry.get(checkRunId(req.id));
    case 'list':
      return registry.list(parseListFilter(req.body ?? {}));
    case 'heartbeat':
      return registry.heartbeat(checkRunId(req.id), parseHeartbeat(req.body));
    case 'finish':
      return registry.finish(checkRunId(req.id), parseFinish(req.body));
    case 'command':
      return registry.sendCommand(checkRunId(req.id), parseCommand(req.body), by);
    case 'next': {
      const body = req.body === undefined || req.body === null ? {} : objectOr(req.body);
      return registry.nextCommand(checkRunId(req.id), { redeliver: body.redeliver === true });
    }
    case 'ack':
      return registry.ack(checkRunId(req.id), checkRunId(req.commandId, 'commandId'));
    case 'attach':
      return registry.attach(checkRunId(req.id), parseBinding(req.body));
  }
}

function objectOr(body: unknown): Record<string, unknown> {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  throw new RunError('invalid', `body: expected a JSON object, got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}`);
}
