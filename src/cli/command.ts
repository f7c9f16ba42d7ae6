// `nestor enable|disable|start|stop|restart|forget NAME`: a service id acts on every instance of
// the service, `<service>@<n>` on one. Each instance's command goes to the controller of the node
// that runs it (core NATS request/reply, the same request the harness and the API send); then,
// unless --no-wait, the verb follows the stream until every instance has come to rest after its
// command: stopped for stop, disabled for disable, started and then ready/completed/failed for
// start and restart, gone (service.retired) for forget.
import { isNoResponders, isTimeout, requestCommand } from '../bus/index.ts';
import type { CommandResponse } from '../bus/index.ts';
import { keyOf } from '../events/index.ts';
import type { CommandVerb, InstanceRef, NestorEvent, Stored } from '../events/index.ts';
import { followState } from '../bus/index.ts';
import { parseDuration } from '../spec/index.ts';
import { getService } from '../state/index.ts';
import { resolveTarget, selectInstanceEntry, selectServiceRows, selectStatusJson, silenceReason } from '../views/index.ts';
import type { LifecycleState, ServiceState, State } from '../state/index.ts';
import { closedSignal, connectInstance } from './connect.ts';
import type { Connection } from './connect.ts';
import type { CliContext } from './context.ts';
import { CliFailure, CommandRefusedError, UsageError } from './errors.ts';
import { stateAtPoint } from './history.ts';
import { requester } from './nodes.ts';
import { renderRows } from './table.ts';
import type { Terminal } from './terminal.ts';

/** Flags of the command verbs. */
export interface CommandFlags {
  file?: string;
  json?: boolean;
  /** false with --no-wait. */
  wait?: boolean;
  timeout?: string;
}

/** Where each verb leaves a service once it has taken effect. */
const RESTING: Record<CommandVerb, readonly LifecycleState[]> = {
  stop: ['stopped', 'completed', 'failed', 'disabled'],
  disable: ['disabled'],
  enable: ['ready', 'completed', 'failed', 'stopped'],
  start: ['ready', 'completed', 'failed'],
  restart: ['ready', 'completed', 'failed'],
  // A forgotten service has no state at all: the wait ends with its service.retired event.
  forget: [],
};

/** One instance a command goes to: its record key and the node whose controller runs it. */
interface Target {
  key: string;
  node: string;
}

/** Sends the command to every instance it names and waits for its effect; exit 0 when it took effect. */
export async function runCommand(verb: CommandVerb, id: string, flags: CommandFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const timeoutMs = parseDuration(flags.timeout ?? '60s');
  if (timeoutMs === null || timeoutMs <= 0) throw new UsageError(`--timeout ${JSON.stringify(flags.timeout)}: expected a duration such as 30s or 2m`);
  await using conn = await connectInstance(ctx, flags.file);
  const before = await conn.bus.lastSeq();
  const current = await stateAtPoint(conn.bus);
  const targets = targetsOf(current, id, conn.info.node);
  const messages: string[] = [];
  for (const target of targets) {
    const reply = await send(conn, verb, target, current);
    if (!reply.ok) throw new CommandRefusedError(verb, id, reply.code, reply.message);
    term.info(reply.message);
    messages.push(reply.message);
  }
  const keys = targets.map((t) => t.key);
  const state = flags.wait === false ? await stateAtPoint(conn.bus) : await settle(conn, verb, id, keys, before, timeoutMs);
  const instance = id.includes('@') ? getService(state, keys[0] as string) : undefined;
  const status = instance !== undefined ? selectInstanceEntry(state, instance) : (selectStatusJson(state).services.find((s) => s.id === id) ?? null);
  if (flags.json) {
    term.out(JSON.stringify({ ok: true, verb, service: id, message: messages.join('; '), status }));
  } else if (status !== null) {
    const rows = selectServiceRows(state, new Date()).filter((r) => (instance === undefined ? r.service === id : r.id === id || (r.service === instance.service && r.instanceCount === 1)));
    for (const line of renderRows(rows)) term.out(line);
  }
  return 0;
}

// An unknown service still goes to the local controller, which words the refusal (and forgets a
// stray record it alone knows); an unknown instance of a known service is the user's typo.
function targetsOf(state: State, id: string, local: string): Target[] {
  const target = resolveTarget(state, id);
  const at = (key: string): Target => ({ key, node: getService(state, key)?.node || local });
  switch (target.kind) {
    case 'unknown-service':
      return [{ key: id, node: local }];
    case 'unknown-instance':
      throw new UsageError(`unknown instance "${id}"; ${target.service} has ${target.known.join(', ')}`);
    case 'instance':
      return [at(target.key)];
    case 'service':
      return target.keys.map(at);
  }
}

async function send(conn: Connection, verb: CommandVerb, target: Target, state: State): Promise<CommandResponse> {
  try {
    return await requestCommand(conn.bus, target.node, verb, { service: target.key, requestedBy: requester() });
  } catch (err) {
    if (!isNoResponders(err) && !isTimeout(err)) throw err;
    if (target.node === conn.info.node) {
      throw new CliFailure(`no controller of node ${conn.info.node} answers commands on ${conn.info.nats}; is the instance still running (\`nestor info\`)?`, { cause: err });
    }
    throw new CliFailure(ownerSilent(state, target), { cause: err });
  }
}

/** "web@2 runs on node n2, which does not answer (down since …)", from what the events say of n2. */
function ownerSilent(state: State, target: Target): string {
  const svc = getService(state, target.key);
  const name = svc === undefined ? target.key : `${svc.service}@${svc.instance}`;
  return `${name} runs on node ${target.node}, which does not answer (${silenceReason(state, target.node)}); \`nestor nodes\` shows the cluster`;
}

/** Follows the stream from the start until the command has taken effect on every instance; the state then. */
async function settle(conn: Connection, verb: CommandVerb, id: string, keys: string[], before: number, timeoutMs: number): Promise<State> {
  const ac = new AbortController();
  let done: State | null = null;
  const commanded = new Set<string>();
  const started = new Set<string>(verb !== 'start' && verb !== 'restart' ? keys : []);
  const retired = new Set<string>();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  let last: State | null = null;
  const atRest = (state: State, key: string): boolean => {
    if (retired.has(key)) return true;
    const s = getService(state, key);
    return commanded.has(key) && started.has(key) && s !== undefined && RESTING[verb].includes(s.state);
  };
  try {
    await followState(conn.bus, {
      signal: AbortSignal.any([ac.signal, closedSignal(conn)]),
      onEvent: (event: Stored<NestorEvent>, state) => {
        last = state;
        if (event.seq <= before || done !== null || !('service' in event.data)) return;
        const key = keyOf(event.data as InstanceRef);
        if (!keys.includes(key)) return;
        if (event.type === `orchestrator.command.${verb}`) commanded.add(key);
        if (commanded.has(key) && (event.type === 'orchestrator.service.start' || event.type === 'orchestrator.service.start.failed')) started.add(key);
        if (commanded.has(key) && event.type === 'orchestrator.service.retired') retired.add(key);
        if (keys.every((k) => atRest(state, k))) {
          done = state;
          ac.abort();
        }
      },
    });
  } finally {
    clearTimeout(timer);
  }
  if (done !== null) return done;
  const states = keys.map((k) => (last === null ? 'unknown' : (getService(last, k) as ServiceState | undefined)?.state ?? 'unknown'));
  const now = [...new Set(states)].join('/');
  if (conn.bus.isClosed()) throw new CliFailure(`the instance stopped while ${id} was ${now}`);
  throw new CliFailure(
    `${verb} ${id}: still ${now} after ${timeoutMs / 1000}s (waiting for ${RESTING[verb].join(' or ')}); \`nestor status ${id}\` and \`nestor logs ${id}\` show why`,
  );
}
