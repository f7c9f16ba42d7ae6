// Public entry of the test harness: a real bus booted through the production startup path,
// with an event recorder. Later work extends it with the whole orchestrator.
export { createHarness } from './harness.ts';
export type { Harness, HarnessOptions, Published } from './harness.ts';
export { EventRecorder, EventTimeoutError } from './recorder.ts';
export type { RecordedSkip, StoredOf, WaitOptions } from './recorder.ts';
