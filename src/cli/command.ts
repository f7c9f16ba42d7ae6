// `nestor enable|disable|start|stop|restart|forget ID`: sends the command to the node's controller
// (core NATS request/reply, the same request the harness and the API send), then, unless
// --no-wait, follows the stream until the service has come to rest after the command: stopped
// for stop, disabled for disable, started and then ready/completed/failed for start and restart,
// gone (service.retired) for forget.
import { hostname, userInfo } from 'node:os';
import { isNoResponders, requestCommand } from '../bus/index.ts';
import type { CommandVerb, NestorEvent, Stored } from '../events/index.ts';
import { followState } from '../bus/index.ts';
import { parseDuration } from '../spec/index.ts';
import { getService } from '../state/index.ts';
import { selectServiceRows, selectStatusJson } from '../views/index.ts';
import type { LifecycleState, ServiceState, State } from '../state/index.ts';
import { closedSignal, connectInstance } from './connect.ts';
import type { Connection } from './connect.ts';
import type { CliContext } from './context.ts';
import { CliFailure, CommandRefusedError, UsageError } from './errors.ts';
import { stateAtPoint } from './history.ts';
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

/** Sends one command and waits for its effect; exit 0 when it took effect. */
export async function runCommand(verb: CommandVerb, id: string, flags: CommandFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const timeoutMs = parseDuration(flags.timeout ?? '60s');
  if (timeoutMs === null || timeoutMs <= 0) throw new UsageError(`--timeout ${JSON.stringify(flags.timeout)}: expected a duration such as 30s or 2m`);
  await using conn = await connectInstance(ctx, flags.file);
  const before = await conn.bus.lastSeq();
  const reply = await send(conn, verb, id);
  if (!reply.ok) throw new CommandRefusedError(verb, id, reply.code, reply.message);
  term.info(reply.message);
  const state = flags.wait === false ? await stateAtPoint(conn.bus) : await settle(conn, verb, id, before, timeoutMs);
  const status = selectStatusJson(state).services.find((s) => s.id === id) ?? null;
  if (flags.json) {
    term.out(JSON.stringify({ ok: true, verb, service: id, message: reply.message, status }));
  } else if (status !== null) {
    for (const line of renderRows(selectServiceRows({ ...state, services: { [id]: state.services[id] as ServiceState } }, new Date()))) term.out(line);
  }
  return 0;
}

async function send(conn: Connection, verb: CommandVerb, id: string): ReturnType<typeof requestCommand> {
  const requestedBy = { node: hostname().replace(/[^A-Za-z0-9_-]+/g, '-'), component: 'cli', user: userName() };
  try {
    return await requestCommand(conn.bus, conn.info.node, verb, { service: id, requestedBy });
  } catch (err) {
    if (isNoResponders(err)) {
      throw new CliFailure(`no controller of node ${conn.info.node} answers commands on ${conn.info.nats}; is the instance still running (\`nestor info\`)?`, { cause: err });
    }
    throw err;
  }
}

/** Follows the stream from the start until the command has taken effect; the state then. */
async function settle(conn: Connection, verb: CommandVerb, id: string, before: number, timeoutMs: number): Promise<State> {
  const ac = new AbortController();
  let done: State | null = null;
  let seenCommand = false;
  let seenStart = verb !== 'start' && verb !== 'restart';
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  let last: ServiceState | undefined;
  try {
    await followState(conn.bus, {
      signal: AbortSignal.any([ac.signal, closedSignal(conn)]),
      onEvent: (event: Stored<NestorEvent>, state) => {
        last = getService(state, id);
        if (event.seq <= before || done !== null) return;
        const about = 'service' in event.data && event.data.service === id;
        if (about && event.type === `orchestrator.command.${verb}`) seenCommand = true;
        if (about && seenCommand && (event.type === 'orchestrator.service.start' || event.type === 'orchestrator.service.start.failed')) seenStart = true;
        const retired = about && seenCommand && event.type === 'orchestrator.service.retired';
        if (retired || (seenCommand && seenStart && last !== undefined && RESTING[verb].includes(last.state))) {
          done = state;
          ac.abort();
        }
      },
    });
  } finally {
    clearTimeout(timer);
  }
  if (done !== null) return done;
  const now = last === undefined ? 'unknown' : last.state;
  if (conn.bus.isClosed()) throw new CliFailure(`the instance stopped while ${id} was ${now}`);
  throw new CliFailure(
    `${verb} ${id}: still ${now} after ${timeoutMs / 1000}s (waiting for ${RESTING[verb].join(' or ')}); \`nestor status ${id}\` and \`nestor logs ${id}\` show why`,
  );
}

function userName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
