// Event logs on disk: what a test recorded, written as JSON lines in the format of `nestor events
// --json` (one envelope per line plus its stream "seq"), and read back. The same files feed
// `nestor replay`, the golden replays in test/fixtures/replays and `nestor harness replay`.
import { readFile, writeFile } from 'node:fs/promises';
import type { BusWriter } from '../bus/index.ts';
import type { NestorEvent, Stored } from '../events/index.ts';
import { parseEventLog, replayLog } from '../state/index.ts';
import type { ParsedLog, ReplayOptions, ReplayResult } from '../state/index.ts';

/** Writes events as JSON lines; returns how many were written. */
export async function writeEventLog(file: string, events: readonly Stored<NestorEvent>[]): Promise<number> {
  await writeFile(file, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return events.length;
}

/** Reads and parses an event log file (bad lines are listed in `skipped`, never thrown). */
export async function readEventLog(file: string): Promise<ParsedLog> {
  return parseEventLog(await readFile(file, 'utf8'));
}

/** Replays an event log file through the reducers, as `nestor replay FILE` does. */
export async function replayFile(file: string, options: ReplayOptions = {}): Promise<ReplayResult> {
  return replayLog(await readFile(file, 'utf8'), options);
}

/**
 * Publishes recorded events onto a bus, in order, with their original ids (a second run within
 * the duplicate window stores nothing new). Returns the stream sequence of the last one, 0 for
 * none. The events keep their origin node, so a controller of another node ignores them.
 */
export async function republishEvents(bus: BusWriter, events: readonly Stored<NestorEvent>[]): Promise<number> {
  let last = 0;
  for (const stored of events) {
    const { seq: _seq, ...event } = stored;
    last = (await bus.publish(event as NestorEvent)).seq;
  }
  return last;
}
