// The event contract: one envelope, a discriminated union of past-tense facts keyed by `type`.
// docs/events.md mirrors this file; change both together.
import type { z } from 'zod';
import type { payloadSchemas } from './payloads.ts';

/** Major version of the envelope this code writes and understands. */
export const ENVELOPE_VERSION = 1;

/** Where an event came from: the node id and the component on it (controller, cli, sdk...). */
export interface Origin {
  node: string;
  component: string;
}

/** The JSON envelope every event travels in. */
export interface Envelope<T extends string = string, D = unknown> {
  version: number;
  id: string;
  type: T;
  timestamp: string;
  origin: Origin;
  data: D;
}

/** Every event type Nestor knows. */
export type EventType = keyof typeof payloadSchemas;
/** The payload of one event type. */
export type PayloadOf<T extends EventType> = z.infer<(typeof payloadSchemas)[T]>;
type E<T extends EventType> = Envelope<T, PayloadOf<T>>;

/** A spec (validated by src/spec) was registered for a service; it replaces any earlier spec. */
export type ServiceRegistered = E<'orchestrator.service.register'>;
/** A registration was refused because its spec is invalid; every problem is listed. */
export type ServiceRegisterRejected = E<'orchestrator.service.register.rejected'>;
/** A service is enabled but waits for the listed dependencies to reach their condition. */
export type ServicePending = E<'orchestrator.service.pending'>;
/** Nestor decided to start a service (first start or a retry): ports, ensure actions and the spawn follow. */
export type ServiceStarting = E<'orchestrator.service.starting'>;
/** The ensure actions (mkdir, template) of a service ran before its start. */
export type ServiceEnsured = E<'orchestrator.service.ensure'>;
/** A fixed port of a service is held by a process that is not ours; the start will fail. */
export type ServicePortConflict = E<'orchestrator.service.port.conflict'>;
/** A fixed port was held by a stale process of this project, which was stopped. */
export type ServicePortReclaimed = E<'orchestrator.service.port.reclaimed'>;
/** A service's process was spawned; it is alive but not yet known to be ready. */
export type ServiceStarted = E<'orchestrator.service.start'>;
/** A service passed its readiness probe (or has none); dependents may start. */
export type ServiceReady = E<'orchestrator.service.ready'>;
/** A readiness or liveness probe changed between passing and failing. */
export type ServiceHealthChanged = E<'orchestrator.service.health'>;
/** A service's process group stayed above limits.memory; a stop (reason `memory`) and the restart policy follow. */
export type ServiceMemoryExceeded = E<'orchestrator.service.memory.exceeded'>;
/** Nestor began stopping a service: the signal was sent and SIGKILL follows after the timeout. */
export type ServiceStopping = E<'orchestrator.service.stop'>;
/** A service's process (and its whole group) exited, with its code or signal. */
export type ServiceExited = E<'orchestrator.service.exit'>;
/** A service could not be started (spawn error, port conflict, ensure failure). */
export type ServiceStartFailed = E<'orchestrator.service.start.failed'>;
/** A restart was scheduled: the attempt number and the backoff delay before it. */
export type ServiceRestartScheduled = E<'orchestrator.service.restart.scheduled'>;
/** A service exceeded maxRestarts and will not be restarted again; it is failed. */
export type ServiceRetriesExhausted = E<'orchestrator.service.retries.exhausted'>;
/** The next run of a scheduled oneshot was planned (or is none, while it is paused). */
export type ServiceScheduleNext = E<'orchestrator.service.schedule.next'>;
/** A scheduled oneshot's run began: its starting/start/exit events follow, the exit with code and duration. */
export type ServiceScheduleRun = E<'orchestrator.service.schedule.run'>;
/** A scheduled run was not made because the previous one still ran (overlap policy). */
export type ServiceScheduleSkipped = E<'orchestrator.service.schedule.skipped'>;
/** A service was disabled and has no process; it stays down until enabled. */
export type ServiceDisabled = E<'orchestrator.service.disabled'>;
/** A service left its project (a new `up` without it) or was forgotten by a user: views drop it, the history keeps it. */
export type ServiceRetired = E<'orchestrator.service.retired'>;
/** An instance of a placed service was claimed by a node, which starts it next. */
export type ServicePlaced = E<'orchestrator.service.placed'>;
/** An instance pinned to a node that is down: it runs nowhere until that node returns. */
export type ServiceLost = E<'orchestrator.service.lost'>;
/** No live node matches an instance's placement; it waits until one joins. */
export type ServiceUnplaced = E<'orchestrator.service.unplaced'>;
/** Metadata of log output written since the last such event (never the lines themselves). */
export type ServiceLogWritten = E<'orchestrator.service.log'>;
/** Watched files of a service changed (its `watch` spec): a restart command by the watcher follows. */
export type ServiceWatchChanged = E<'orchestrator.service.watch.changed'>;
/** An accepted command to enable a service. */
export type CommandEnable = E<'orchestrator.command.enable'>;
/** An accepted command to disable a service (stop it and keep it down). */
export type CommandDisable = E<'orchestrator.command.disable'>;
/** An accepted command to start a stopped, failed or completed service. */
export type CommandStart = E<'orchestrator.command.start'>;
/** An accepted command to stop a service without disabling it. */
export type CommandStop = E<'orchestrator.command.stop'>;
/** An accepted command to restart a service (stop, then start with a fresh attempt count). */
export type CommandRestart = E<'orchestrator.command.restart'>;
/** An accepted command to forget a service that has no process: its record leaves every view. */
export type CommandForget = E<'orchestrator.command.forget'>;
/** A Nestor node started and owns its controller; how to reach it is in the payload. */
export type NodeUp = E<'orchestrator.node.up'>;
/** A Nestor node shut down (or was found dead); its services are no longer supervised by it. */
export type NodeDown = E<'orchestrator.node.down'>;
/** A node was asked to drain (move its movable instances away, take nothing new) or to stop draining. */
export type NodeDraining = E<'orchestrator.node.draining'>;
/** A node's connection to the broker changed. */
export type NodeBrokerChanged = E<'orchestrator.node.broker'>;
/** The node's Caddy runs: its pid and its http, https and admin ports. */
export type CaddyStarted = E<'orchestrator.caddy.started'>;
/** A config was loaded into the node's Caddy: how many routes and upstreams it has. */
export type CaddyConfigApplied = E<'orchestrator.caddy.config.applied'>;
/** The node's Caddy exited without being asked to; a restart follows unless `restarting` is false. */
export type CaddyExited = E<'orchestrator.caddy.exited'>;
/** The node's Caddy was stopped (node shutdown). */
export type CaddyStopped = E<'orchestrator.caddy.stopped'>;
/** Certificates of the node's Caddy were stored in JetStream. */
export type CaddyCertStored = E<'orchestrator.caddy.cert.stored'>;
/** Certificates were restored from JetStream into the node's Caddy before it started. */
export type CaddyCertRestored = E<'orchestrator.caddy.cert.restored'>;
/** A state snapshot including every event up to `throughSeq` was saved under `key`. */
export type SnapshotSaved = E<'orchestrator.snapshot.saved'>;
/** A project file was applied to a running node (`nestor apply`, `up` again, `up --watch`): what it added, removed and changed. */
export type ProjectApplied = E<'orchestrator.project.applied'>;
/** An edited project file was not applied because it is invalid; nothing running was touched. */
export type ProjectRejected = E<'orchestrator.project.rejected'>;
/** A run (a long job) was registered, queued until its first heartbeat. */
export type RunCreated = E<'orchestrator.run.created'>;
/** A restarted job re-attached to its run: the run is now bound to this instance and process. */
export type RunAttached = E<'orchestrator.run.attached'>;
/** A run reported progress: step, checkpoint version, metrics, runtime status. */
export type RunHeartbeat = E<'orchestrator.run.heartbeat'>;
/** A run's state changed (queued, running, paused, succeeded, failed, terminated), and why. */
export type RunStateChanged = E<'orchestrator.run.state'>;
/** A run's health changed (healthy, late, stale, lost), and why. */
export type RunHealthChanged = E<'orchestrator.run.health'>;
/** A control command was queued for a run. */
export type RunCommandSent = E<'orchestrator.run.command.sent'>;
/** A run fetched a command (its delivery stamp is set). */
export type RunCommandDelivered = E<'orchestrator.run.command.delivered'>;
/** A run acknowledged a command; state changes (pause, resume, terminate) and tuned params follow the ack. */
export type RunCommandAcked = E<'orchestrator.run.command.acked'>;

/** Any event Nestor publishes or consumes. */
export type NestorEvent =
  | ServiceRegistered
  | ServiceRegisterRejected
  | ServicePending
  | ServiceStarting
  | ServiceEnsured
  | ServicePortConflict
  | ServicePortReclaimed
  | ServiceStarted
  | ServiceReady
  | ServiceHealthChanged
  | ServiceMemoryExceeded
  | ServiceStopping
  | ServiceExited
  | ServiceStartFailed
  | ServiceRestartScheduled
  | ServiceRetriesExhausted
  | ServiceScheduleNext
  | ServiceScheduleRun
  | ServiceScheduleSkipped
  | ServiceDisabled
  | ServiceRetired
  | ServicePlaced
  | ServiceLost
  | ServiceUnplaced
  | ServiceLogWritten
  | ServiceWatchChanged
  | CommandEnable
  | CommandDisable
  | CommandStart
  | CommandStop
  | CommandRestart
  | CommandForget
  | NodeUp
  | NodeDown
  | NodeDraining
  | NodeBrokerChanged
  | CaddyStarted
  | CaddyConfigApplied
  | CaddyExited
  | CaddyStopped
  | CaddyCertStored
  | CaddyCertRestored
  | SnapshotSaved
  | ProjectApplied
  | ProjectRejected
  | RunCreated
  | RunAttached
  | RunHeartbeat
  | RunStateChanged
  | RunHealthChanged
  | RunCommandSent
  | RunCommandDelivered
  | RunCommandAcked;

/** Command verbs accepted by the controller. */
export const COMMAND_VERBS = ['enable', 'disable', 'start', 'stop', 'restart', 'forget'] as const;
/** One of the command verbs. */
export type CommandVerb = (typeof COMMAND_VERBS)[number];
/** Any accepted command event. */
export type CommandEvent = CommandEnable | CommandDisable | CommandStart | CommandStop | CommandRestart | CommandForget;
/** An event about one service (it carries `data.service`). */
export type ServiceScopedEvent = Extract<NestorEvent, { data: { service: string } }>;

/** Any event about a run. */
export type RunEvent = RunCreated | RunAttached | RunHeartbeat | RunStateChanged | RunHealthChanged | RunCommandSent | RunCommandDelivered | RunCommandAcked;
/** The id of the run an event is about. */
export function runIdOf(e: RunEvent): string {
  return e.type === 'orchestrator.run.created' ? e.data.run.id : e.data.id;
}

/** An event as read back from the stream, with its stream sequence (the cursor of every view). */
export type Stored<T extends NestorEvent = NestorEvent> = T & { seq: number };
