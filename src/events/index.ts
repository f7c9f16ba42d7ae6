// Public entry of the event contract. Pure: no I/O, no clock, no randomness.
export { ENVELOPE_VERSION, COMMAND_VERBS } from './types.ts';
export type {
  Origin,
  Envelope,
  EventType,
  PayloadOf,
  NestorEvent,
  CommandVerb,
  CommandEvent,
  ServiceScopedEvent,
  Stored,
  ServiceRegistered,
  ServiceRegisterRejected,
  ServicePending,
  ServiceStarting,
  ServiceEnsured,
  ServicePortConflict,
  ServicePortReclaimed,
  ServiceStarted,
  ServiceReady,
  ServiceHealthChanged,
  ServiceMemoryExceeded,
  ServiceStopping,
  ServiceExited,
  ServiceStartFailed,
  ServiceRestartScheduled,
  ServiceRetriesExhausted,
  ServiceScheduleNext,
  ServiceScheduleRun,
  ServiceScheduleSkipped,
  ServiceDisabled,
  ServiceRetired,
  ServiceLogWritten,
  ServicePlaced,
  ServiceLost,
  ServiceUnplaced,
  NodeDraining,
  CommandEnable,
  CommandDisable,
  CommandStart,
  CommandStop,
  CommandRestart,
  CommandForget,
  NodeUp,
  NodeDown,
  NodeBrokerChanged,
  SnapshotSaved,
  ProjectApplied,
  ProjectRejected,
} from './types.ts';
export { payloadSchemas, ID_PATTERN, EVENT_TYPES } from './payloads.ts';
export { encode, decode, isEventType, validatePayload, makeEvent, emptyDecodeStats, countDecoded } from './codec.ts';
export type { Decoded, SkipReason, DecodeStats, EventMeta } from './codec.ts';
export {
  SUBJECT_ROOT,
  ALL_EVENTS,
  subjectFor,
  serviceFilter,
  nodeFilter,
  typeFilter,
  commandRequestSubject,
  nodeRequestSubject,
  registerSubject,
} from './subjects.ts';
export { makeEventId } from './ids.ts';

export { MAX_REPLICAS, instanceKey, instanceName, instanceRef, keyOf, parseInstance } from './instances.ts';
export type { InstanceRef } from './instances.ts';
