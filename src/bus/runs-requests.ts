// Run registry requests travel as core NATS request/reply on nestor.runs.<op>, answered by any
// node (queue group `nestor-runs`), so a job inside a service needs no HTTP port. Requests are
// answered concurrently: one slow run must not hold the heartbeats of the others. A sent
// command also publishes an empty wake-up on nestor.runs.wake.<runId> (not stored).
import { runWakeSubject, runsRequestSubject } from '../events/index.ts';
import type { RunOp, RunReply, RunRequest } from '../runs/core/index.ts';
import { RUN_BODY_LIMIT, RUN_OPS } from '../runs/core/index.ts';
import type { RequestService } from './commands.ts';
import { handlesOf } from './handles.ts';
import type { BusReader } from './reader.ts';

/** Queue group of the nodes answering run requests. */
export const RUNS_QUEUE = 'nestor-runs';

/** Answers one request: the operation and the parsed request. */
export type RunsHandler = (op: RunOp, req: RunRequest) => Promise<RunReply>;

/** Sends one request to the registry (any node) and returns its answer; throws on no responders and on timeout. */
export async function requestRuns<T = unknown>(bus: BusReader, op: RunOp, req: RunRequest, timeoutMs = 10_000): Promise<RunReply<T>> {
  const reply = await handlesOf(bus).nc.request(runsRequestSubject(op), JSON.stringify(req), { timeout: timeoutMs });
  return JSON.parse(new TextDecoder().decode(reply.data)) as RunReply<T>;
}

/** Answers the registry requests of every operation with `handle`, each as it comes. */
export function serveRuns(bus: BusReader, handle: RunsHandler): RequestService {
  const inFlight = new Set<Promise<void>>();
  // A callback, not the subscription's iterator: the iterator hands over one message per turn,
  // so each answer would leave in a socket write of its own; called as the client parses a
  // read, the requests of one read are answered together and their writes share a flush.
  const sub = handlesOf(bus).nc.subscribe(runsRequestSubject('*'), {
    queue: RUNS_QUEUE,
    callback: (err, m) => {
      if (err !== null) return;
      const op = m.subject.slice(m.subject.lastIndexOf('.') + 1);
      const answer = (async (): Promise<RunReply> => {
        if (!(RUN_OPS as readonly string[]).includes(op)) return { ok: false, code: 'invalid', message: `unknown run operation "${op}"; known: ${RUN_OPS.join(', ')}` };
        if (m.data.length > RUN_BODY_LIMIT) return { ok: false, code: 'too_large', message: `request: ${m.data.length} bytes, more than the ${RUN_BODY_LIMIT} bytes a run request may have` };
        const req = parseRequest(m.data);
        if (req === null) return { ok: false, code: 'invalid', message: 'request: expected a JSON object {"id", "commandId", "body", "by"}' };
        return handle(op as RunOp, req);
      })().catch((e: unknown): RunReply => ({ ok: false, code: 'internal', message: (e as Error).message ?? String(e) }));
      const p = answer.then((reply) => {
        m.respond(JSON.stringify(reply));
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    },
  });
  return {
    async stop() {
      sub.unsubscribe();
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** Tells a run's SDK that a command waits (best effort: a job that misses it fetches on its next poll). */
export function wakeRun(bus: BusReader, runId: string): void {
  handlesOf(bus).nc.publish(runWakeSubject(runId));
}

function parseRequest(data: Uint8Array): RunRequest | null {
  if (data.length === 0) return {};
  try {
    const v = JSON.parse(new TextDecoder().decode(data)) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as RunRequest) : null;
  } catch {
    return null;
  }
}
