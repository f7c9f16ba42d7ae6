// `nestor runs watch [ID] [--json]`: the runs live, from the event stream like `nestor watch`:
// the state reduced from the history, then each new event from the next sequence on. On a
// terminal the runs table is redrawn in place; otherwise each change of a run is one line;
// --json prints a snapshot object, then one object per changed run.
import { followState } from '../bus/index.ts';
import type { RunSummary } from '../runs/core/index.ts';
import { runById, runList } from '../state/index.ts';
import type { State } from '../state/index.ts';
import { describeRunChange, selectRunRows } from '../views/index.ts';
import { closedSignal, connectInstance } from './connect.ts';
import { followSignal } from './context.ts';
import type { CliContext } from './context.ts';
import { clockTime } from './format.ts';
import { stateAtPoint } from './history.ts';
import { getRun, renderRuns } from './runs.ts';
import type { RunsFlags } from './runs.ts';
import type { Terminal } from './terminal.ts';

/** One line of `runs watch --json` after the first: a run that changed. */
export interface RunWatchChange {
  kind: 'change';
  seq: number;
  type: string;
  timestamp: string;
  run: RunSummary;
}

/** Follows the runs (or one run) until Ctrl-C (exit 0) or until the instance stops (exit 1). */
export async function runRunsWatch(id: string | undefined, flags: RunsFlags, ctx: CliContext, term: Terminal): Promise<number> {
  await using conn = await connectInstance(ctx, flags.file);
  if (id !== undefined) await getRun(conn.bus, id);
  const initial = await stateAtPoint(conn.bus);
  const stop = followSignal(ctx);
  const pick = (state: State): readonly RunSummary[] => {
    if (id === undefined) return runList(state.runs);
    const run = runById(state.runs, id);
    return run === undefined ? [] : [run];
  };
  let last = initial;
  const redraw = term.tty && !flags.json ? liveView(term, conn.info.node, () => pick(last)) : null;
  if (flags.json) term.out(JSON.stringify({ kind: 'snapshot', seq: initial.seq, runs: pick(initial) }));
  else if (redraw === null) {
    const rows = selectRunRows(pick(initial), new Date());
    if (rows.length === 0) term.out('no runs yet; waiting for changes');
    else for (const line of renderRuns(rows)) term.out(line);
  }
  redraw?.draw();
  try {
    await followState(conn.bus, {
      initial,
      fromSeq: initial.seq + 1,
      signal: AbortSignal.any([stop, closedSignal(conn)]),
      onEvent: (event, state, previous) => {
        last = state;
        if (state.runs === previous.runs) return;
        for (const run of pick(state)) {
          const was = runById(previous.runs, run.id);
          if (was === run) continue;
          if (flags.json) {
            const change: RunWatchChange = { kind: 'change', seq: event.seq, type: event.type, timestamp: event.timestamp, run };
            term.out(JSON.stringify(change));
            continue;
          }
          const words = describeRunChange(was, run);
          if (words.length === 0) continue;
          const line = `${clockTime(event.timestamp)}  ${run.id}  ${words.join(' · ')}`;
          if (redraw === null) term.out(line);
          else redraw.note(line);
        }
      },
    });
  } finally {
    redraw?.end();
  }
  if (stop.aborted) return 0;
  term.error(`the instance stopped: the bus at ${conn.info.nats} closed the connection`);
  return 1;
}

// Redraws the whole screen: a header, the runs table, the last few changes; once a second so
// heartbeat ages move.
function liveView(term: Terminal, node: string, runs: () => readonly RunSummary[]): { draw(): void; note(line: string): void; end(): void } {
  const recent: string[] = [];
  let pending: NodeJS.Timeout | null = null;
  const draw = (): void => {
    pending = null;
    const rows = selectRunRows(runs(), new Date());
    const lines = [`nestor runs watch · node ${node} · ${rows.length} run${rows.length === 1 ? '' : 's'} · Ctrl-C to quit`, '', ...(rows.length === 0 ? ['no runs yet'] : renderRuns(rows)), '', ...recent];
    term.out(`\x1b[H\x1b[2J${lines.join('\n')}`);
  };
  const tick = setInterval(draw, 1_000);
  return {
    draw,
    note(line) {
      recent.push(line);
      recent.splice(0, Math.max(0, recent.length - 8));
      pending ??= setTimeout(draw, 50);
    },
    end() {
      clearInterval(tick);
      if (pending !== null) clearTimeout(pending);
    },
  };
}
