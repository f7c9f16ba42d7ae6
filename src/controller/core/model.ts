// The controller's pure model: what it knows about each supervised service, the inputs it
// reacts to (observations from the shell, commands, registrations) and the effects it asks the
// shell to perform. Every effect's result comes back as another input, so decide() stays pure
// (docs/architecture.md, *The controller loop*).
import { instanceRef } from '../../events/index.ts';
import type { CommandVerb, EventType, InstanceRef, PayloadOf } from '../../events/index.ts';
import type { ServiceSpec } from '../../spec/index.ts';
import type { LifecycleState } from '../../state/index.ts';

/** What the controller knows about one service. */
export interface Supervised {
  /** Record key: the service id for instance 1, `<service>@<n>` for the others. */
  id: string;
  service: string;
  instance: number;
  spec: ServiceSpec;
  specVersion: number;
  specHash: string;
  enabled: boolean;
  /** `--only`: start without waiting for dependencies. */
  ignoreDependencies: boolean;
  /** False after a stop command: the service stays down until started. */
  wanted: boolean;
  phase: LifecycleState;
  /** Restarts made in the current failure streak (reset after a stable run or a command). */
  attempt: number;
  pid: number | null;
  /** What to do once the process being stopped has exited. */
  afterStop: 'stay' | 'start' | 'disable' | 'restart-policy' | 'release' | 'retire';
  /** With afterStop 'restart-policy': why the process is stopped, the reason of the restart. Default: a liveness failure. */
  failure?: string;
  waitingFor: string[];
  /** A scheduled service's next planned run (epoch ms); null: none planned. */
  nextRunAt: number | null;
  /** A run queued behind the current one (overlap queue): its planned time. */
  queuedRun: string | null;
  /** Why a retiring instance leaves (its retired event says it); 'scaled down' when not set. */
  retireReason?: string;
}

/** Phase of a whole-stack shutdown. */
export type ShutdownPhase = 'running' | 'stopping' | 'done';

/** The controller's whole model. */
export interface ControllerState {
  services: Record<string, Supervised>;
  shutdown: ShutdownPhase;
  /** Phases of the instances other nodes run, by service: dependencies hold across nodes. */
  peers: Record<string, LifecycleState[]>;
}

/** Who sent a command. */
export type Requester = {
  node: string;
  component: string;
};

/** Something that happened, reported to decide(). */
export type Input =
  | {
      kind: 'registered';
      spec: ServiceSpec;
      specVersion: number;
      specHash: string;
      enabled: boolean;
      ignoreDependencies: boolean;
      /** Which instance this controller runs (default 1). */
      instance?: number;
    }
  /** Give an instance up: stop its process, then drop it (it moves, or it was scaled away and is retired). */
  | { kind: 'release'; service: string; reason: string; retire: boolean; timeoutMs?: number }
  /** What other nodes' instances are doing, by service (replaces the previous report). */
  | { kind: 'peers'; phases: Record<string, LifecycleState[]> }
  | { kind: 'command'; verb: CommandVerb; service: string; requestedBy: Requester; requestId: string }
  | { kind: 'started'; service: string; pid: number; attempt: number; ports: Record<string, number>; command: string; args: string[] }
  | { kind: 'startFailed'; service: string; attempt: number; reason: string; error: string; searchPath?: string }
  | { kind: 'ready'; service: string; pid: number; ports: Record<string, number>; elapsedMs: number; probe: string | null; line?: string }
  | { kind: 'ensured'; service: string; actions: PayloadOf<'orchestrator.service.ensure'>['actions'] }
  | ({ kind: 'portConflict' } & PayloadOf<'orchestrator.service.port.conflict'>)
  | ({ kind: 'portReclaimed' } & PayloadOf<'orchestrator.service.port.reclaimed'>)
  | ({ kind: 'health'; pid: number } & PayloadOf<'orchestrator.service.health'>)
  /** The process group stayed above limits.memory (the runner's sampling rule). */
  | { kind: 'memoryExceeded'; service: string; pid: number; limitBytes: number; rssBytes: number }
  | { kind: 'exited'; service: string; pid: number; code: number | null; signal: string | null; runtimeMs: number }
  | { kind: 'restartDue'; service: string }
  /** The timer of a scheduled service's planned run fired. */
  | { kind: 'runDue'; service: string; atMs: number }
  | { kind: 'shutdown' };

/** An event to publish, typed by its contract payload. */
export type PublishEffect = { [T in EventType]: { kind: 'publish'; type: T; data: PayloadOf<T> } }[EventType];

/** A command outcome sent back to the requester. */
export type ReplyEffect =
  | { kind: 'reply'; requestId: string; ok: true; message: string }
  | { kind: 'reply'; requestId: string; ok: false; code: CommandErrorCode; message: string };

/** Why a command was refused. */
export const COMMAND_ERROR_CODES = ['unknown-service', 'invalid-transition', 'shutting-down'] as const;
/** One refusal code. */
export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number];

/** Work the shell performs for the controller. */
export type Effect =
  | PublishEffect
  | ReplyEffect
  | { kind: 'spawn'; service: string; attempt: number }
  | { kind: 'signal'; service: string; signal: string; timeoutMs: number }
  | { kind: 'scheduleRestart'; service: string; delayMs: number }
  | { kind: 'cancelRestart'; service: string }
  /** Arm the timer of a scheduled service's next run (one per service; a new one replaces it). */
  | { kind: 'scheduleRun'; service: string; atMs: number }
  | { kind: 'cancelRun'; service: string }
  | { kind: 'shutdownComplete' }
  /** An instance was released and its process is gone: its claim may go to another node. */
  | { kind: 'released'; service: string };

/** What decide() needs besides the state and the input: the time and a jitter sample in [0,1). */
export interface DecideContext {
  nowMs: number;
  jitter: number;
  /**
   * The caller hands the input state over: its services map may be edited in place (records
   * are still copied before they change). The controller shell keeps only the latest state;
   * a copy of the map per decision was O(services) per input.
   */
  handOver?: boolean;
}

/** decide()'s result: the next model and the effects to perform, in order. */
export interface Decision {
  next: ControllerState;
  effects: Effect[];
}

/** Builds a typed publish effect. */
export function publish<T extends EventType>(type: T, data: PayloadOf<T>): PublishEffect {
  return { kind: 'publish', type, data } as PublishEffect;
}

/** The event fields naming a supervised instance. */
export function refOf(svc: Pick<Supervised, 'service' | 'instance'>): InstanceRef {
  return instanceRef(svc.service, svc.instance);
}
