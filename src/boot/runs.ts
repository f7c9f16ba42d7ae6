// The node's part of the run registry: a registry over the run bucket, answering the registry
// requests of the bus (with every other node, as one queue group) and of this node's API.
import type { BusWriter } from '../bus/index.ts';
import { createEventFactory, openRunStore, serveRuns, wakeRun } from '../bus/index.ts';
import type { NestorConfig } from '../config/index.ts';
import type { NestorEvent } from '../events/index.ts';
import { handleRunRequest, startRunRegistry } from '../runs/index.ts';
import type { RunOp, RunRegistry, RunReply, RunRequest } from '../runs/index.ts';

/** The registry of a node and how to stop it. */
export interface NodeRuns {
  registry: RunRegistry;
  /** Answers a registry request here (the API's way in, without a trip over the bus). */
  request(op: RunOp, req: RunRequest): Promise<RunReply>;
  stop(): Promise<void>;
}

/** Opens the run bucket, starts the registry and serves its bus requests. */
export async function startNodeRuns(bus: BusWriter, config: NestorConfig, onError: (err: unknown) => void): Promise<NodeRuns> {
  const records = await openRunStore(bus, { store: config.nats.store, replicas: config.events.replicas });
  const event = createEventFactory({ node: config.node, component: 'runs' });
  const registry = await startRunRegistry({
    records,
    event: (d) => event(d.type, d.data as never) as NestorEvent,
    publish: (e) => bus.publish(e),
    wake: (id) => wakeRun(bus, id),
    onError,
  });
  const request = (op: RunOp, req: RunRequest): Promise<RunReply> => handleRunRequest(registry, op, req);
  const service = serveRuns(bus, request);
  return {
    registry,
    request,
    async stop() {
      await service.stop();
      await registry.close();
    },
  };
}
