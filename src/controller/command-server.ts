// Command requests reach the controller through the bus's command responder. This side checks
// each request (a known verb, a JSON body naming a service, a well-formed requester) before the
// controller sees it; accepted commands are recorded as events by the controller.
import { serveCommands } from '../bus/index.ts';
import type { BusReader, CommandRequest, CommandResponse, CommandService } from '../bus/index.ts';
import { COMMAND_VERBS } from '../events/index.ts';
import type { CommandVerb } from '../events/index.ts';
import type { Requester } from './core/index.ts';

type Handler = (verb: CommandVerb, service: string, requestedBy: Requester) => Promise<CommandResponse>;

/** Answers command requests for one node. */
export class CommandServer {
  private service: CommandService | null = null;

  constructor(
    private readonly bus: BusReader,
    private readonly node: string,
    private readonly handle: Handler,
  ) {}

  /** Subscribes to every verb of this node. */
  start(): void {
    this.service = serveCommands(this.bus, this.node, (verb, data) => this.answer(verb, data));
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
    await this.service?.stop();
  }
}

function isRequester(value: unknown): value is Requester {
  const r = value as Record<string, unknown> | null;
  return typeof r === 'object' && r !== null && typeof r.node === 'string' && typeof r.component === 'string';
}
