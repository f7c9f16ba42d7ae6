// The run state machine and the pure operations of the registry. Each operation takes the
// current record and the time, and returns the next record (the same object when nothing
// changed), the events that tell the change, and its answer; a refusal throws a RunError.
// The registry's shell serializes the operations of a run and writes the record with
// compare-and-set, so an operation always meets the record as it is stored.
import type { EventType, PayloadOf } from '../../events/index.ts';
import { RunError } from './errors.ts';
import { healthAt, healthRank, missedIntervals } from './health.ts';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_TERMINATE_GRACE_MS, FINISHED_RUN_STATES, RUN_HEALTH } from './types.ts';
import type { CommandInput, CreateRunInput, FinishInput, HeartbeatInput, Run, RunBinding, RunCommand, RunHealth, RunState } from './types.ts';

type RunEventType = Extract<EventType, `orchestrator.run.${string}`>;
/** An event to publish, before the shell stamps its id, time and origin. */
export type RunEventDraft = { [T in RunEventType]: { type: T; data: PayloadOf<T> } }[RunEventType];

/** What an operation leaves: the record (the same object when unchanged), its events and its answer. */
export interface Outcome<T> {
  run: Run;
  events: RunEventDraft[];
  result: T;
}

/** Where each state may go. Finished states go nowhere. */
export const RUN_TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  queued: ['running', 'succeeded', 'failed', 'terminated'],
  running: ['paused', 'succeeded', 'failed', 'terminated'],
  paused: ['running', 'succeeded', 'failed', 'terminated'],
  succeeded: [],
  failed: [],
  terminated: [],
};

/** Audit entries kept per run (transitions, and acknowledged commands); the oldest go first. */
export const RUN_AUDIT_LIMIT = 500;

/**
 * Bytes of commands (as JSON) a run's record keeps. The record is one message of the run bucket
 * (1 MiB by default) and commands are what can fill it: past this, the oldest acknowledged
 * commands go, and a command that would not fit beside the unacknowledged ones is refused.
 */
export const RUN_COMMANDS_BYTES = 512 * 1024;

/** True for succeeded, failed and terminated. */
export function isFinished(state: RunState): boolean {
  return FINISHED_RUN_STATES.includes(state);
}

/** Moves `run` to `to`, recording why; refused (conflict) when the machine has no such edge. */
export function transition(run: Run, to: RunState, reason: string, now: Date): Outcome<Run> {
  if (!RUN_TRANSITIONS[run.state].includes(to)) {
    const allowed = RUN_TRANSITIONS[run.state];
    const where = allowed.length === 0 ? `it is ${run.state}, which is final` : `from ${run.state} it can go to ${allowed.join(', ')}`;
    throw new RunError(isFinished(run.state) ? 'finished' : 'conflict', `run ${run.id} cannot go from ${run.state} to ${to}: ${where}`, { field: 'state', stored: run.state, sent: to });
  }
  const at = now.toISOString();
  const finished = isFinished(to);
  const next: Run = {
    ...run,
    state: to,
    startedAt: run.startedAt ?? (to === 'running' ? at : null),
    finishedAt: finished ? at : run.finishedAt,
    error: to === 'failed' || to === 'terminated' ? reason : run.error,
    transitions: audit(run.transitions, { at, kind: 'state', from: run.state, to, reason }),
  };
  return { run: next, events: [{ type: 'orchestrator.run.state', data: { id: run.id, from: run.state, to, reason } }], result: next };
}

/** A new run, queued. */
export function newRun(id: string, input: CreateRunInput, binding: RunBinding | null, now: Date): Outcome<Run> {
  const run: Run = {
    id,
    experiment: input.experiment,
    version: input.version,
    params: input.params ?? {},
    state: 'queued',
    runtimeStatus: '',
    health: 'healthy',
    heartbeatIntervalMs: input.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    terminateGraceMs: input.terminateGraceMs ?? DEFAULT_TERMINATE_GRACE_MS,
    step: 0,
    checkpointVersion: 0,
    metrics: {},
    binding,
    createdAt: now.toISOString(),
    startedAt: null,
    lastHeartbeatAt: null,
    finishedAt: null,
    error: null,
    commands: [],
    transitions: [],
  };
  const data = { id, experiment: run.experiment, version: run.version, params: run.params, heartbeatIntervalMs: run.heartbeatIntervalMs, binding, terminateGraceMs: run.terminateGraceMs };
  return { run, events: [{ type: 'orchestrator.run.created', data: { run: data } }], result: run };
}

/** A creation with a chosen id that exists: the same experiment gets the run back, another is a conflict. */
export function existingRun(run: Run, input: CreateRunInput): Outcome<Run> {
  if (run.experiment !== input.experiment) {
    throw new RunError('conflict', `run ${run.id} exists for experiment ${JSON.stringify(run.experiment)}, not ${JSON.stringify(input.experiment)}`, {
      field: 'experiment',
      stored: run.experiment,
      sent: input.experiment,
    });
  }
  return { run, events: [], result: run };
}

/** Takes a heartbeat: counters never go backwards, the first one starts the run, health becomes healthy. */
export function heartbeat(run: Run, input: HeartbeatInput, now: Date): Outcome<Run> {
  if (isFinished(run.state)) throw new RunError('finished', `run ${run.id} is ${run.state}; it takes no more heartbeats`, { field: 'state', stored: run.state });
  for (const field of ['step', 'checkpointVersion'] as const) {
    if (input[field] < run[field]) {
      throw new RunError('conflict', `${field} went backwards: stored ${run[field]}, sent ${input[field]}`, { field, stored: run[field], sent: input[field] });
    }
  }
  const at = now.toISOString();
  const metrics = input.metrics ?? {};
  const runtimeStatus = input.runtimeStatus ?? '';
  let next: Run = {
    ...run,
    step: input.step,
    checkpointVersion: input.checkpointVersion,
    metrics,
    runtimeStatus: runtimeStatus === '' ? run.runtimeStatus : runtimeStatus,
    lastHeartbeatAt: at,
  };
  const events: RunEventDraft[] = [{ type: 'orchestrator.run.heartbeat', data: { id: run.id, step: input.step, checkpointVersion: input.checkpointVersion, metrics, runtimeStatus } }];
  if (next.state === 'queued') {
    const t = transition(next, 'running', 'first heartbeat', now);
    next = t.run;
    events.push(...t.events);
  }
  if (next.health !== 'healthy') {
    const h = setHealth(next, 'healthy', 'heartbeat received', now);
    next = h.run;
    events.push(...h.events);
  }
  return { run: next, events, result: next };
}

/** Ends a run as the job reports it; the same end again is answered with the run, another is refused. */
export function finish(run: Run, input: FinishInput, now: Date): Outcome<Run> {
  if (run.state === input.state) return { run, events: [], result: run };
  const reason = input.state === 'failed' ? (input.error ?? 'the job reported a failure') : 'the job reported success';
  return transition(run, input.state, reason, now);
}

/** Sets health, recording why (the same health: unchanged). */
export function setHealth(run: Run, to: RunHealth, reason: string, now: Date): Outcome<Run> {
  if (run.health === to) return { run, events: [], result: run };
  const next: Run = { ...run, health: to, transitions: audit(run.transitions, { at: now.toISOString(), kind: 'health', from: run.health, to, reason }) };
  return { run: next, events: [{ type: 'orchestrator.run.health', data: { id: run.id, from: run.health, to, reason } }], result: next };
}

/**
 * Escalates health from heartbeat age at `now`, one level at a time (a node that checked late
 * still tells late before stale); a run that is no worse than it should be is unchanged.
 */
export function escalate(run: Run, now: Date): Outcome<Run> {
  const due = healthRank(healthAt(run, now));
  const reason = `no heartbeat for ${Math.floor(missedIntervals(run, now))} intervals of ${run.heartbeatIntervalMs}ms`;
  let next = run;
  const events: RunEventDraft[] = [];
  for (let rank = healthRank(run.health) + 1; rank <= due; rank++) {
    const step = setHealth(next, RUN_HEALTH[rank] as RunHealth, reason, now);
    next = step.run;
    events.push(...step.events);
  }
  return { run: next, events, result: next };
}

/** Queues a command; a known id answers the first command and changes nothing. */
export function sendCommand(run: Run, input: CommandInput, commandId: string, by: string, now: Date): Outcome<{ command: RunCommand; created: boolean }> {
  const known = run.commands.find((c) => c.id === commandId);
  if (known !== undefined) return { run, events: [], result: { command: known, created: false } };
  if (isFinished(run.state)) throw new RunError('finished', `run ${run.id} is ${run.state}; it takes no more commands`, { field: 'state', stored: run.state });
  const command: RunCommand = { id: commandId, type: input.type, params: input.params ?? {}, createdAt: now.toISOString(), deliveredAt: null, acknowledgedAt: null, requestedBy: by };
  const open = run.commands.filter((c) => c.acknowledgedAt === null);
  const openBytes = open.reduce((sum, c) => sum + commandBytes(c), 0);
  if (openBytes + commandBytes(command) > RUN_COMMANDS_BYTES) {
    const kib = (n: number): number => Math.ceil(n / 1024);
    throw new RunError(
      'too_large',
      `run ${run.id}: its ${open.length} unacknowledged commands hold ${kib(openBytes)} KiB and this one ${kib(commandBytes(command))} KiB, more than the ${kib(RUN_COMMANDS_BYTES)} KiB of commands a run keeps: let the job fetch and acknowledge them, or send smaller params`,
      { field: 'params', stored: openBytes, sent: commandBytes(command), limit: RUN_COMMANDS_BYTES },
    );
  }
  const next: Run = { ...run, commands: trimCommands([...run.commands, command]) };
  const sent = { id: command.id, type: command.type, params: command.params, requestedBy: by };
  return { run: next, events: [{ type: 'orchestrator.run.command.sent', data: { id: run.id, command: sent } }], result: { command, created: true } };
}

/** The next command for the run: the oldest undelivered one, stamped delivered; with `redeliver`, the oldest delivered and unacknowledged first. */
export function nextCommand(run: Run, redeliver: boolean, now: Date): Outcome<RunCommand | null> {
  if (redeliver) {
    const open = run.commands.find((c) => c.deliveredAt !== null && c.acknowledgedAt === null);
    if (open !== undefined) return { run, events: [], result: open };
  }
  const index = run.commands.findIndex((c) => c.deliveredAt === null);
  if (index < 0) return { run, events: [], result: null };
  const command = { ...(run.commands[index] as RunCommand), deliveredAt: now.toISOString() };
  const commands = run.commands.slice();
  commands[index] = command;
  return { run: { ...run, commands }, events: [{ type: 'orchestrator.run.command.delivered', data: { id: run.id, commandId: command.id } }], result: command };
}

/**
 * Acknowledges a command (again: the first stamp stays, nothing changes). The state follows the
 * ack: pause → paused, resume → running, terminate → terminated; tune merges its params.
 */
export function ackCommand(run: Run, commandId: string, now: Date): Outcome<RunCommand> {
  const index = run.commands.findIndex((c) => c.id === commandId);
  const found = run.commands[index];
  if (found === undefined) throw new RunError('not_found', `run ${run.id} has no command ${JSON.stringify(commandId)}`, { field: 'commandId', sent: commandId });
  if (found.acknowledgedAt !== null) return { run, events: [], result: found };
  const at = now.toISOString();
  const events: RunEventDraft[] = [];
  // An ack of a command never fetched (a job that read it another way) delivers it too.
  if (found.deliveredAt === null) events.push({ type: 'orchestrator.run.command.delivered', data: { id: run.id, commandId } });
  const command: RunCommand = { ...found, deliveredAt: found.deliveredAt ?? at, acknowledgedAt: at };
  const commands = run.commands.slice();
  commands[index] = command;
  let next: Run = { ...run, commands: trimCommands(commands), params: command.type === 'tune' ? { ...run.params, ...command.params } : run.params };
  events.push({ type: 'orchestrator.run.command.acked', data: { id: run.id, commandId, type: command.type, params: command.params } });
  const to = stateAfterAck(next.state, command.type);
  if (to !== null) {
    const t = transition(next, to, `${command.type} acknowledged`, now);
    next = t.run;
    events.push(...t.events);
  }
  return { run: next, events, result: command };
}

// The state an acknowledged command moves a run to; null: none (tune, or nothing to do from here).
function stateAfterAck(state: RunState, type: RunCommand['type']): RunState | null {
  if (type === 'pause') return state === 'running' ? 'paused' : null;
  if (type === 'resume') return state === 'paused' ? 'running' : null;
  if (type === 'terminate') return isFinished(state) ? null : 'terminated';
  return null;
}

/** Binds a run to the instance that runs it now (a restarted job re-attaching). */
export function attach(run: Run, binding: RunBinding): Outcome<Run> {
  if (isFinished(run.state)) throw new RunError('finished', `run ${run.id} is ${run.state}; a finished run cannot be attached`, { field: 'state', stored: run.state });
  const next: Run = { ...run, binding };
  return { run: next, events: [{ type: 'orchestrator.run.attached', data: { id: run.id, binding } }], result: next };
}

/** Ends a run that did not acknowledge its terminate in time (its process was stopped). */
export function forceTerminate(run: Run, reason: string, now: Date): Outcome<Run> {
  if (isFinished(run.state)) return { run, events: [], result: run };
  return transition(run, 'terminated', reason, now);
}

function audit<T>(list: readonly T[], entry: T): T[] {
  const out = list.length >= RUN_AUDIT_LIMIT ? list.slice(list.length - RUN_AUDIT_LIMIT + 1) : list.slice();
  out.push(entry);
  return out;
}

// Unacknowledged commands always stay; past the count or the bytes, the oldest acknowledged ones go.
function trimCommands(commands: RunCommand[]): RunCommand[] {
  let excess = commands.length - RUN_AUDIT_LIMIT;
  const sizes = commands.map(commandBytes);
  let bytes = sizes.reduce((a, b) => a + b, 0) - RUN_COMMANDS_BYTES;
  if (excess <= 0 && bytes <= 0) return commands;
  return commands.filter((c, i) => {
    if (c.acknowledgedAt === null || (excess <= 0 && bytes <= 0)) return true;
    excess--;
    bytes -= sizes[i] as number;
    return false;
  });
}

// The UTF-8 size of a command as the record stores it (JSON), without a Buffer (pure core).
function commandBytes(c: RunCommand): number {
  const json = JSON.stringify(c);
  let n = json.length;
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    // Two bytes up to U+07FF, three beyond; a surrogate pair (two units) makes four.
    if (code >= 0x80) n += code >= 0x800 && (code < 0xd800 || code > 0xdfff) ? 2 : 1;
  }
  return n;
}
