// Public entry of the test harness: the whole node booted through the production startup path,
// an event recorder, the real CLI run against it, and event logs captured and replayed.
export { createHarness } from './harness.ts';
export { runCli, startCli, NESTOR_BIN } from './cli-runner.ts';
export type { CliResult, CliRunOptions, CliSession } from './cli-runner.ts';
export { writeEventLog, readEventLog, replayFile, republishEvents } from './capture.ts';
export type { Harness, HarnessOptions, Published } from './harness.ts';
export { EventRecorder, EventTimeoutError } from './recorder.ts';
export type { RecordedSkip, StoredOf, WaitOptions } from './recorder.ts';
