// What run commands do to processes, on the node that runs them. The registry only records
// commands and acks; this follows the event stream (from the node's start on) and acts on the
// runs bound to an instance of this node:
//   pause acked + processControl   → SIGSTOP the instance's process group
//   resume / terminate sent        → SIGCONT first (a stopped process cannot read the command)
//   terminate sent                 → after the run's grace period without the run finishing, a
//                                    normal stop through the controller, then the run is
//                                    terminated with "terminate not acknowledged within <n>s"
//   run attached here              → the same for a terminate still unacknowledged, with what is
//                                    left of its grace period (the timers live in this process)
//   the bound instance exits       → health lost, "process gone"
import { instanceKey } from '../events/index.ts';
import type { NestorEvent, Stored } from '../events/index.ts';
import { killGroup } from '../process/index.ts';
import { DEFAULT_TERMINATE_GRACE_MS, FINISHED_RUN_STATES } from './core/index.ts';
import type { Run, RunBinding, RunState } from './core/index.ts';

/** The parts of a run the effects read from the node's state. */
export interface BoundRun {
  id: string;
  state: RunState;
  binding: RunBinding | null;
}

/** What the effects change in the registry. */
export interface RunEffectsRegistry {
  get(id: string): Promise<Run>;
  /** Ends an unfinished run as terminated with `reason` as its error (the supervisor stopped it). */
  markTerminated(id: string, reason: string): Promise<unknown>;
  /** Sets the health of an unfinished run to lost at once. */
  markLost(id: string, reason: string): Promise<unknown>;
}

/** The runs as the state holds them after an event: one by id, or all of them. */
export interface BoundRuns {
  byId(id: string): BoundRun | undefined;
  all(): Iterable<BoundRun>;
}

/** Options of startRunEffects. */
export interface RunEffectsOptions {
  node: string;
  /** Calls `listener` with every new event in stream order and the runs as they are after it; returns the unsubscribe. */
  subscribe(listener: (event: Stored<NestorEvent>, runs: BoundRuns) => void): () => void;
  registry: RunEffectsRegistry;
  /** The node's controller: the pids of its instances and the stop command. */
  controller: {
    runningPids(): Record<string, number>;
    command(verb: 'stop', service: string, requestedBy?: { node: string; component: string }): Promise<{ ok: boolean; message: string }>;
  };
  /** Sends a signal to a process group (tests and benchmarks keep the default, killGroup). */
  signalGroup?(pgid: number, signal: NodeJS.Signals): boolean;
  /** A line for the node's log (what was done to which process). */
  log?(line: string): void;
  onError?(err: unknown): void;
}

/** The running effects of one node. */
export interface RunEffects {
  /** Stops following events and cancels the pending grace timers. */
  stop(): void;
}

/** Starts acting on run commands and instance exits for the runs bound to this node. */
export function startRunEffects(opts: RunEffectsOptions): RunEffects {
  const signalGroup = opts.signalGroup ?? killGroup;
  const log = opts.log ?? (() => {});
  const onError = opts.onError ?? (() => {});
  const graceTimers = new Map<string, NodeJS.Timeout>();
  // Runs the supervisor is stopping for a terminate: their exit is not "process gone".
  const terminating = new Set<string>();

  const local = (run: BoundRun | undefined): run is BoundRun & { binding: RunBinding } =>
    run?.binding !== null && run?.binding !== undefined && run.binding.node === opts.node && !FINISHED_RUN_STATES.includes(run.state);

  const signal = (run: BoundRun & { binding: RunBinding }, sig: NodeJS.Signals, why: string): void => {
    const pgid = opts.controller.runningPids()[run.binding.instance] ?? run.binding.pid;
    if (pgid === null || pgid === undefined) return;
    if (signalGroup(pgid, sig)) log(`run ${run.id}: ${sig} to ${run.binding.instance} (group ${pgid}): ${why}`);
  };

  // The grace period runs from the terminate's creation, so a job that re-attaches here (after a
  // restart of its process or of this node) with a terminate still unacknowledged gets only
  // what is left of it.
  const armTerminate = async (run: BoundRun & { binding: RunBinding }): Promise<void> => {
    if (graceTimers.has(run.id)) return;
    const record = await opts.registry.get(run.id);
    const pending = record.commands.find((c) => c.type === 'terminate' && c.acknowledgedAt === null);
    if (pending === undefined || record.finishedAt !== null || graceTimers.has(run.id)) return;
    const grace = record.terminateGraceMs ?? DEFAULT_TERMINATE_GRACE_MS;
    const timer = setTimeout(
      () => {
        graceTimers.delete(run.id);
        void expire(run.id, run.binding.instance, grace).catch(onError);
      },
      Math.max(0, Date.parse(pending.createdAt) + grace - Date.now()),
    );
    timer.unref();
    graceTimers.set(run.id, timer);
  };

  const expire = async (id: string, instance: string, grace: number): Promise<void> => {
    const record = await opts.registry.get(id);
    if (record.finishedAt !== null || FINISHED_RUN_STATES.includes(record.state)) return;
    terminating.add(id);
    try {
      log(`run ${id}: terminate not acknowledged within ${grace / 1000}s; stopping ${instance}`);
      // Continued first: a paused process only handles the stop signal once it runs again.
      const pgid = opts.controller.runningPids()[instance];
      if (pgid !== undefined) signalGroup(pgid, 'SIGCONT');
      await opts.controller.command('stop', instance, { node: opts.node, component: 'runs' });
      await opts.registry.markTerminated(id, `terminate not acknowledged within ${formatSeconds(grace)}s`);
    } finally {
      terminating.delete(id);
    }
  };

  const onEvent = (event: Stored<NestorEvent>, runs: BoundRuns): void => {
    const type = event.type as string;
    const data = event.data as Record<string, unknown>;
    if (type === 'orchestrator.run.command.sent') {
      const run = runs.byId(data.id as string);
      if (!local(run)) return;
      const command = data.command as { type: string };
      if ((command.type === 'resume' || command.type === 'terminate') && run.binding.processControl) signal(run, 'SIGCONT', `${command.type} sent`);
      if (command.type === 'terminate') void armTerminate(run).catch(onError);
    } else if (type === 'orchestrator.run.attached') {
      const run = runs.byId(data.id as string);
      if (local(run)) void armTerminate(run).catch(onError);
    } else if (type === 'orchestrator.run.command.acked') {
      const run = runs.byId(data.id as string);
      if (!local(run) || data.type !== 'pause' || !run.binding.processControl) return;
      signal(run, 'SIGSTOP', 'pause acknowledged');
    } else if (type === 'orchestrator.run.state') {
      // A finished run needs no stop any more.
      if (!FINISHED_RUN_STATES.includes(data.to as RunState)) return;
      const timer = graceTimers.get(data.id as string);
      if (timer !== undefined) clearTimeout(timer);
      graceTimers.delete(data.id as string);
    } else if (type === 'orchestrator.service.exit' && event.origin.node === opts.node) {
      const key = instanceKey(data.service as string, (data.instance as number | undefined) ?? 1);
      for (const run of runs.all()) {
        if (!local(run) || run.binding.instance !== key || terminating.has(run.id)) continue;
        void opts.registry.markLost(run.id, 'process gone').catch(onError);
      }
    }
  };

  const unsubscribe = opts.subscribe((event, runs) => {
    try {
      onEvent(event, runs);
    } catch (err) {
      onError(err);
    }
  });
  return {
    stop() {
      unsubscribe();
      for (const timer of graceTimers.values()) clearTimeout(timer);
      graceTimers.clear();
    },
  };
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(1);
}
