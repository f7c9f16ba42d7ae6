// `nestor replay FILE [--step] [--until SEQ] [--json]`: folds a recorded event log (JSON lines,
// as `nestor events --json` and the harness's captureLog write them) through the reducers and
// prints the resulting state; --step lists every transition on the way. No instance is needed.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { replayLog } from '../state/index.ts';
import { selectServiceRows, selectStatusJson } from '../views/index.ts';
import type { ReplayResult, ReplayStep, State } from '../state/index.ts';
import type { CliContext } from './context.ts';
import { UsageError } from './errors.ts';
import { renderRows } from './table.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor replay`. */
export interface ReplayFlags {
  step?: boolean;
  json?: boolean;
  until?: string;
}

/** Reads an event log file; a missing or unreadable file is a usage error (exit 2). */
export async function readLogFile(ctx: CliContext, file: string): Promise<{ path: string; text: string }> {
  const path = resolve(ctx.cwd, file);
  try {
    return { path, text: await readFile(path, 'utf8') };
  } catch (err) {
    throw new UsageError(`cannot read the event log ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; pass a file written by \`nestor events --json\``, {
      cause: err,
    });
  }
}

/** Replays the log and prints the final state (and the steps with --step). */
export async function runReplay(file: string, flags: ReplayFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const until = flags.until === undefined ? undefined : Number(flags.until);
  if (until !== undefined && (!Number.isInteger(until) || until < 0)) throw new UsageError(`--until ${JSON.stringify(flags.until)}: expected a stream sequence`);
  const { path, text } = await readLogFile(ctx, file);
  const result = replayLog(until === undefined ? text : cutAt(text, until), { steps: flags.step === true });
  reportSkips(result, path, term);
  // Every line skipped: this is not an event log (a wrong file, a log of some other tool), and
  // an empty table with exit 0 would read as "a stack with no services".
  const events = result.state.counters.applied + result.state.counters.ignored;
  if (events === 0 && result.skipped.length > 0) {
    throw new UsageError(`${path} holds no events: all ${result.skipped.length} non-blank line(s) were skipped; pass a file written by \`nestor events --json\``);
  }
  if (flags.step) {
    for (const step of result.steps ?? []) term.out(flags.json ? JSON.stringify(step) : stepLine(step));
    if (flags.json) return 0;
    term.out('');
  }
  printState(result.state, flags.json === true, term);
  return 0;
}

/** The final state as a table, or as the `status --json` document. */
export function printState(state: State, json: boolean, term: Terminal): void {
  if (json) {
    term.out(JSON.stringify(selectStatusJson(state)));
    return;
  }
  const rows = selectServiceRows(state, lastTransition(state));
  if (rows.length === 0) term.out('no services in this log');
  else for (const line of renderRows(rows)) term.out(line);
  term.info(`replayed through seq ${state.seq}: ${state.counters.applied} event(s) applied, ${state.counters.ignored} ignored as impossible`);
}

/** Skipped lines go to stderr with their line number and reason. */
export function reportSkips(result: ReplayResult, path: string, term: Terminal): void {
  for (const s of result.skipped) term.error(`${path}:${s.line}: skipped (${s.reason}): ${s.detail}`);
}

/** `#seq type service from → to`, marked when the reducer ignored the event. */
export function stepLine(step: ReplayStep): string {
  const type = step.type.replace(/^orchestrator\./, '');
  const change = step.service === null ? '' : step.from === step.to ? ` ${step.to ?? '-'}` : ` ${step.from ?? '(new)'} → ${step.to ?? '-'}`;
  return `#${String(step.seq).padEnd(5)} ${type.padEnd(26)} ${(step.service ?? '-').padEnd(12)}${change}${step.ignored ? '  (ignored)' : ''}`.trimEnd();
}

// Uptimes in the table are measured at the last transition the log records, not at today's
// date: a replay shows the stack as it was.
function lastTransition(state: State): Date {
  return new Date(Math.max(0, ...Object.values(state.services).map((s) => Date.parse(s.since) || 0)));
}

// Keeps the lines whose "seq" is at most `until` (and every line that has no readable seq, so
// that its skip is still reported).
function cutAt(text: string, until: number): string {
  return text
    .split('\n')
    .filter((line) => {
      try {
        const seq = (JSON.parse(line) as { seq?: unknown }).seq;
        return typeof seq !== 'number' || seq <= until;
      } catch {
        return true;
      }
    })
    .join('\n');
}
