// Command requests arrive as core NATS request/reply on nestor.rpc.<node>.command.<verb> (not
// stored: JetStream would answer a stored subject with its own ack). Each request is answered
// with the controller's reply; accepted commands are recorded as events by the controller.
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { COMMAND_VERBS, commandRequestSubject } from '../events/index.ts';
import type { CommandVerb } from '../events/index.ts';
import type { Requester } from './core/index.ts';

/** A command's body on the wire. */
export interface CommandRequest {
  service: string;
  requestedBy?: Requester;
}

/** A command's answer on the wire. */
export type CommandResponse = { ok: true; message: string } | { ok: false; code: string; message: string };

type Handler = (verb: CommandVerb, service: string, requestedBy: Requester) => Promise<CommandResponse>;

/** Answers command requests for one node. */
export class CommandServer {
  private sub: Subscription | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly nc: NatsConnection,
    private readonly node: string,
    private readonly handle: Handler,
  ) {}

  /** Subscribes to every verb of this node. */
  start(): void {
    this.sub = this.nc.subscribe(commandRequestSubject(this.node, '*'));
    this.loop = this.run(this.sub);
  }

  private async run(sub: Subscription): Promise<void> {
    for await (const m of sub) {
      const verb = m.subject.split('.').pop() as string;
      let response: CommandResponse;
      try {
        response = await this.answer(verb, m.data);
      } catch (err) {
        response = { ok: false, code: 'internal', message: (err as Error).message };
      }
      m.respond(JSON.stringify(response));
    }
  }

  private async answer(verb: string, data: Uint8Array): Promise<CommandResponse> {
    if (!(COMMAND_VERBS as readonly string[]).includes(verb)) {
      return { ok: false, code: 'bad-request', message: `unknown command "${verb}"; expected one of ${COMMAND_VERBS.join(', ')}` };
    }
    let body: CommandRequest;
    try {
      body = JSON.parse(new TextDecoder().decode(data)) as CommandRequest;
    } catch {
      return { ok: false, code: 'bad-request', message: 'command body is not JSON; expected {"service": "<id>"}' };
    }
    if (typeof body?.service !== 'string' || body.service === '') {
      return { ok: false, code: 'bad-request', message: 'command body needs "service": a service id' };
    }
    const by = body.requestedBy as unknown;
    if (by !== undefined && !isRequester(by)) {
      return { ok: false, code: 'bad-request', message: 'requestedBy must be {"node": "<id>", "component": "<name>"} when given' };
    }
    const requestedBy = by ?? { node: 'unknown', component: 'unknown' };
    return this.handle(verb as CommandVerb, body.service, requestedBy);
  }

  /** Stops answering. */
  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    await this.loop;
  }
}

function isRequester(value: unknown): value is Requester {
  const r = value as Record<string, unknown> | null;
  return typeof r === 'object' && r !== null && typeof r.node === 'string' && typeof r.component === 'string';
}

/** Sends one command to a node's controller and returns its answer. */
export async function requestCommand(
  nc: NatsConnection,
  node: string,
  verb: CommandVerb,
  body: CommandRequest,
  timeoutMs = 10_000,
): Promise<CommandResponse> {
  const reply = await nc.request(commandRequestSubject(node, verb), JSON.stringify(body), { timeout: timeoutMs });
  return JSON.parse(new TextDecoder().decode(reply.data)) as CommandResponse;
}
