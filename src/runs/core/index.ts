// The run registry's pure core: its types and rules, without I/O.
export * from './types.ts';
export { RecordTooLargeError, RunError, httpStatusOf, recordTooLarge, requireRun, runNotFound } from './errors.ts';
export { healthAt, healthRank, healthClockOf, missedIntervals } from './health.ts';
export { checkRunId, parseBinding, parseCommand, parseCreate, parseFinish, parseHeartbeat, parseListFilter, MIN_HEARTBEAT_INTERVAL_MS } from './validate.ts';
export {
  RUN_TRANSITIONS,
  RUN_AUDIT_LIMIT,
  RUN_COMMANDS_BYTES,
  isFinished,
  transition,
  newRun,
  existingRun,
  heartbeat,
  finish,
  setHealth,
  escalate,
  sendCommand,
  nextCommand,
  ackCommand,
  attach,
  forceTerminate,
} from './machine.ts';
export type { Outcome, RunEventDraft } from './machine.ts';
