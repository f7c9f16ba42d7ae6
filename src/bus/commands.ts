// Command requests travel as core NATS request/reply on nestor.rpc.<node>.command.<verb> (not
// stored: JetStream would answer a stored subject with its own ack). A command is a request,
// not an event, so a read-only client (the CLI) sends it too. The controller decides what a
// command means; this file only carries it.
import { commandRequestSubject } from '../events/index.ts';
import type { CommandVerb } from '../events/index.ts';
import { handlesOf } from './handles.ts';
import type { BusReader } from './reader.ts';

/** Who sent a command. */
export interface CommandRequester {
  node: string;
  component: string;
  user?: string;
}

/** A command's body on the wire. */
export interface CommandRequest {
  service: string;
  requestedBy?: CommandRequester;
}

/** A command's answer on the wire. */
export type CommandResponse = { ok: true; message: string } | { ok: false; code: string; message: string };

/** Answers one request: the verb (last subject token, unchecked) and the raw body. */
export type CommandHandler = (verb: string, body: Uint8Array) => Promise<CommandResponse>;

/** A running command responder. */
export type CommandService = RequestService;

/** Sends one command to a node's controller and returns its answer. */
export async function requestCommand(
  bus: BusReader,
  node: string,
  verb: CommandVerb,
  body: CommandRequest,
  timeoutMs = 10_000,
): Promise<CommandResponse> {
  const reply = await handlesOf(bus).nc.request(commandRequestSubject(node, verb), JSON.stringify(body), { timeout: timeoutMs });
  return JSON.parse(new TextDecoder().decode(reply.data)) as CommandResponse;
}

/** Answers the command requests of every verb for `node` with `handle`. */
export function serveCommands(bus: BusReader, node: string, handle: CommandHandler): CommandService {
  return serveRequests(bus, commandRequestSubject(node, '*'), handle, (err) => ({ ok: false, code: 'internal', message: err.message }));
}

/** A running request/reply responder. */
export interface RequestService {
  /** Stops answering once the request in hand is answered. */
  stop(): Promise<void>;
}

/**
 * Answers every request on `subject` (one wildcard token: the verb or action) with `handle`'s
 * JSON answer, one at a time. A failing handler still answers, through `failed`, so the
 * requester hears why instead of timing out.
 */
export function serveRequests<R>(
  bus: BusReader,
  subject: string,
  handle: (last: string, body: Uint8Array) => Promise<R>,
  failed: (err: Error) => R,
): RequestService {
  const sub = handlesOf(bus).nc.subscribe(subject);
  const loop = (async () => {
    for await (const m of sub) {
      const last = m.subject.split('.').pop() as string;
      let response: R;
      try {
        response = await handle(last, m.data);
      } catch (err) {
        response = failed(err as Error);
      }
      m.respond(JSON.stringify(response));
    }
  })();
  return {
    async stop() {
      sub.unsubscribe();
      await loop;
    },
  };
}
