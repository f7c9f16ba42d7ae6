// Command requests travel as core NATS request/reply on nestor.rpc.<node>.command.<verb> (not
// stored: JetStream would answer a stored subject with its own ack). A command is a request,
// not an event, so a read-only client (the CLI) sends it too. The controller decides what a
// command means; this file only carries it.
import type { Subscription } from '@nats-io/transport-node';
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
export interface CommandService {
  /** Stops answering once the request in hand is answered. */
  stop(): Promise<void>;
}

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
  const sub = handlesOf(bus).nc.subscribe(commandRequestSubject(node, '*'));
  const loop = answer(sub, handle);
  return {
    async stop() {
      sub.unsubscribe();
      await loop;
    },
  };
}

async function answer(sub: Subscription, handle: CommandHandler): Promise<void> {
  for await (const m of sub) {
    const verb = m.subject.split('.').pop() as string;
    let response: CommandResponse;
    try {
      response = await handle(verb, m.data);
    } catch (err) {
      // A failing handler still answers, so the requester hears why instead of timing out.
      response = { ok: false, code: 'internal', message: (err as Error).message };
    }
    m.respond(JSON.stringify(response));
  }
}
