// Replay of JSON-lines event logs, as `nestor events --json` prints them (one envelope per line
// plus "seq"). Pure: it takes the text, not a file. A bad line is skipped with its line number
// and a precise reason, and the rest of the log still applies: one bad line must not hide the
// others.
import { decode } from '../events/index.ts';
import type { NestorEvent, SkipReason, Stored } from '../events/index.ts';
import { getService } from './lookup.ts';
import { emptyState, reduce } from './reduce.ts';
import type { LifecycleState, State } from './types.ts';

/** Why a log line was skipped: a decode reason, or 'seq' for a missing or non-increasing sequence. */
export type LogSkipReason = SkipReason | 'seq';

/** A skipped log line (1-based line number). */
export interface SkippedLine {
  line: number;
  reason: LogSkipReason;
  detail: string;
}

/** The events of a log and the lines that were skipped. */
export interface ParsedLog {
  events: Stored[];
  skipped: SkippedLine[];
}

/** One reduced event as `nestor replay --step` shows it. */
export interface ReplayStep {
  seq: number;
  type: string;
  /** The service the event is about, or null for node and snapshot events. */
  service: string | null;
  from: LifecycleState | null;
  to: LifecycleState | null;
  ignored: boolean;
}

/** Options of replayLog. */
export interface ReplayOptions {
  /** Also return one ReplayStep per applied or ignored event. */
  steps?: boolean;
  /** Start from this state (a restored snapshot) instead of the empty one. */
  from?: State;
}

/** The outcome of replaying a log. */
export interface ReplayResult {
  state: State;
  skipped: SkippedLine[];
  steps?: ReplayStep[];
}

/** Parses a JSON-lines log. Blank lines are allowed; sequences must increase strictly. */
export function parseEventLog(text: string): ParsedLog {
  const events: Stored[] = [];
  const skipped: SkippedLine[] = [];
  const lines = text.split('\n');
  let lastSeq = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] as string).trim();
    if (raw === '') continue;
    const line = i + 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      skipped.push({ line, reason: 'json', detail: (err as Error).message });
      continue;
    }
    const decoded = decode(parsed);
    if (!decoded.ok) {
      skipped.push({ line, reason: decoded.reason, detail: decoded.detail });
      continue;
    }
    const seq = (parsed as { seq?: unknown }).seq;
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1) {
      skipped.push({ line, reason: 'seq', detail: `"seq" must be a positive integer, got ${JSON.stringify(seq)}` });
      continue;
    }
    if (seq <= lastSeq) {
      skipped.push({ line, reason: 'seq', detail: `seq ${seq} does not follow seq ${lastSeq}` });
      continue;
    }
    lastSeq = seq;
    events.push({ ...decoded.event, seq } as Stored);
  }
  return { events, skipped };
}

/** Parses and reduces a log; with `steps`, also lists every transition for a step-by-step view. */
export function replayLog(text: string, options: ReplayOptions = {}): ReplayResult {
  const { events, skipped } = parseEventLog(text);
  let state = options.from ?? emptyState();
  if (!options.steps) {
    for (const e of events) state = reduce(state, e);
    return { state, skipped };
  }
  const steps: ReplayStep[] = [];
  for (const e of events) {
    const service = serviceOf(e);
    const before = state;
    state = reduce(state, e);
    if (state === before) continue; // at or below the starting snapshot: already included
    steps.push({
      seq: e.seq,
      type: e.type,
      service,
      from: service === null ? null : (getService(before, service)?.state ?? null),
      to: service === null ? null : (getService(state, service)?.state ?? null),
      ignored: state.counters.ignored > before.counters.ignored,
    });
  }
  return { state, skipped, steps };
}

function serviceOf(e: NestorEvent): string | null {
  return 'service' in e.data ? e.data.service : null;
}
