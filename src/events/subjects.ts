// Subject layout. The node and the service sit at fixed token positions so that one wildcard
// filters by either:
//   orchestrator.service.<node>.<service>.<tail>   e.g. orchestrator.service.n1.alpha.start.failed
//   orchestrator.command.<node>.<service>.<verb>
//   orchestrator.node.<node>.<tail>                e.g. orchestrator.node.n1.up
//   orchestrator.snapshot.<node>.<tail>
//   orchestrator.run.<node>.<runId>.<tail>         e.g. orchestrator.run.n1.r-abc.command.sent
// <tail> is the event type without its first two tokens, so the type is recoverable from the
// subject and the reverse.
import { runIdOf } from './types.ts';
import type { EventType, NestorEvent, RunEvent } from './types.ts';

/** Root of every event subject; the event stream captures `orchestrator.>`. */
export const SUBJECT_ROOT = 'orchestrator';
/** Everything the event stream stores. */
export const ALL_EVENTS = 'orchestrator.>';

const SCOPED_FAMILIES = new Set(['service', 'command', 'run']);

/** The subject an event is published on. */
export function subjectFor(event: Pick<NestorEvent, 'type' | 'origin' | 'data'>): string {
  const [root, family, ...tail] = event.type.split('.');
  const node = event.origin.node;
  if (family !== undefined && SCOPED_FAMILIES.has(family)) {
    const scope = family === 'run' ? runIdOf(event as RunEvent) : (event.data as { service: string }).service;
    return [root, family, node, scope, ...tail].join('.');
  }
  return [root, family, node, ...tail].join('.');
}

/**
 * Filter subject for all events of one service (on every node unless one is given). Run events
 * have the run's id at the service's token, so it also matches a run named like the service:
 * readers keep only the events {@link isEventOfService} takes.
 */
export function serviceFilter(service: string, node = '*'): string {
  return `orchestrator.*.${node}.${service}.>`;
}

/** True when the event is about this service (its payload names it). */
export function isEventOfService(event: Pick<NestorEvent, 'data'>, service: string): boolean {
  return (event.data as { service?: unknown }).service === service;
}

/** Filter subject for every event published by one node. */
export function nodeFilter(node: string): string {
  return `orchestrator.*.${node}.>`;
}

/** Filter subject for one event type (any node, any service). */
export function typeFilter(type: EventType): string {
  const [root, family, ...tail] = type.split('.');
  const scoped = family !== undefined && SCOPED_FAMILIES.has(family);
  return [root, family, '*', ...(scoped ? ['*'] : []), ...tail].join('.');
}

/** Subject of a service's register events on one node (`*` for every service of it). */
export function registerSubject(node: string, service: string): string {
  return `orchestrator.service.${node}.${service}.register`;
}

/** Subject on which a node's controller answers command requests (core NATS, not stored). */
export function commandRequestSubject(node: string, verb: string): string {
  return `nestor.rpc.${node}.command.${verb}`;
}

/** Subject on which a node answers requests about itself (`nodes`, `drain`, ...; core NATS, not stored). */
export function nodeRequestSubject(node: string, action: string): string {
  return `nestor.rpc.${node}.node.${action}`;
}

/** Filter subject for every event of one run (on every node unless one is given). */
export function runFilter(runId: string, node = '*'): string {
  return `orchestrator.run.${node}.${runId}.>`;
}

/** Subject of a run registry request (`create`, `heartbeat`, ...; core NATS, any node answers). */
export function runsRequestSubject(op: string): string {
  return `nestor.runs.${op}`;
}

/** Subject of the wake-up a run's SDK listens to: a command was sent (core NATS, empty, not stored). */
export function runWakeSubject(runId: string): string {
  return `nestor.runs.wake.${runId}`;
}
