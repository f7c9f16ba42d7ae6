// `nestor watch [--json]`: the live state of the stack. It starts from the state reduced from
// the history, then applies each new event from the next sequence on (snapshot then live, so no
// event is missed or applied twice). On a terminal the table is redrawn in place; otherwise
// each lifecycle transition is one line; --json prints a snapshot object, then one object per
// changed service.
import { followState } from '../bus/index.ts';
import type { NestorEvent, Stored } from '../events/index.ts';
import { getService } from '../state/index.ts';
import type { State } from '../state/index.ts';
import { describeEvent, selectCounts, selectServiceRows, selectStatusJson } from '../views/index.ts';
import type { StatusEntry } from '../views/index.ts';
import { closedSignal, connectInstance } from './connect.ts';
import { followSignal } from './context.ts';
import type { CliContext } from './context.ts';
import { clockTime } from './format.ts';
import { stateAtPoint } from './history.ts';
import { renderRows } from './table.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor watch`. */
export interface WatchFlags {
  file?: string;
  json?: boolean;
}

/** One line of `watch --json` after the first: a service whose status changed. */
export interface WatchChange {
  kind: 'change';
  seq: number;
  type: string;
  timestamp: string;
  service: string;
  from: string | null;
  to: string;
  status: StatusEntry;
}

/** Follows the state until Ctrl-C (exit 0) or until the instance stops (exit 1). */
export async function runWatch(flags: WatchFlags, ctx: CliContext, term: Terminal): Promise<number> {
  await using conn = await connectInstance(ctx, flags.file);
  const initial = await stateAtPoint(conn.bus);
  const stop = followSignal(ctx);
  const view = flags.json ? jsonView(term) : term.tty ? liveView(term, conn.info.node) : lineView(term);
  view.start(initial);
  try {
    await followState(conn.bus, {
      initial,
      fromSeq: initial.seq + 1,
      signal: AbortSignal.any([stop, closedSignal(conn)]),
      onEvent: (event, state, previous) => view.update(event, state, previous),
    });
  } finally {
    view.end();
  }
  if (stop.aborted) return 0;
  term.error(`the instance stopped: the bus at ${conn.info.nats} closed the connection`);
  return 1;
}

interface View {
  start(state: State): void;
  update(event: Stored<NestorEvent>, state: State, previous: State): void;
  end(): void;
}

function jsonView(term: Terminal): View {
  let entries = new Map<string, string>();
  const index = (state: State): Map<string, string> => new Map(selectStatusJson(state).services.map((s) => [s.id, JSON.stringify(s)]));
  return {
    start(state) {
      term.out(JSON.stringify({ kind: 'snapshot', ...selectStatusJson(state) }));
      entries = index(state);
    },
    update(event, state, previous) {
      const changed = Object.keys(state.services).filter((id) => state.services[id] !== previous.services[id]);
      if (changed.length === 0) return;
      const doc = selectStatusJson(state);
      for (const id of changed) {
        const status = doc.services.find((s) => s.id === id);
        if (status === undefined) continue;
        const text = JSON.stringify(status);
        if (entries.get(id) === text) continue; // only bookkeeping changed (the service's last seq)
        entries.set(id, text);
        const from = getService(previous, id)?.state ?? null;
        const change: WatchChange = { kind: 'change', seq: event.seq, type: event.type, timestamp: event.timestamp, service: id, from, to: status.state, status };
        term.out(JSON.stringify(change));
      }
    },
    end() {},
  };
}

function lineView(term: Terminal): View {
  return {
    start(state) {
      const rows = selectServiceRows(state, new Date());
      if (rows.length === 0) term.out('no services registered yet; waiting for changes');
      else for (const line of renderRows(rows)) term.out(line);
    },
    update(event, state, previous) {
      for (const svc of Object.values(state.services)) {
        const before = getService(previous, svc.id)?.state;
        if (before === svc.state) continue;
        const detail = describeEvent(event);
        term.out(`${clockTime(event.timestamp)}  ${svc.id.padEnd(12)} ${before ?? 'registered'} → ${svc.state}${detail ? `  (${detail})` : ''}`);
      }
    },
    end() {},
  };
}

// Redraws the whole screen: a header with the counts, the table, the last few transitions.
function liveView(term: Terminal, node: string): View {
  let state: State | null = null;
  const recent: string[] = [];
  let pending: NodeJS.Timeout | null = null;
  const draw = (): void => {
    pending = null;
    if (state === null) return;
    const counts = selectCounts(state);
    const lines = [
      `nestor watch · node ${node} · seq ${state.seq} · ${counts.ok}/${counts.total} ready or completed · Ctrl-C to quit`,
      '',
      ...(counts.total === 0 ? ['no services registered yet'] : renderRows(selectServiceRows(state, new Date()))),
      '',
      ...recent,
    ];
    term.out(`\x1b[H\x1b[2J${lines.join('\n')}`);
  };
  const schedule = (): void => {
    pending ??= setTimeout(draw, 50);
  };
  const tick = setInterval(draw, 1_000);
  return {
    start(initial) {
      state = initial;
      draw();
    },
    update(event, next, previous) {
      state = next;
      for (const svc of Object.values(next.services)) {
        const before = getService(previous, svc.id)?.state;
        if (before !== svc.state) recent.push(`${clockTime(event.timestamp)}  ${svc.id} ${before ?? 'registered'} → ${svc.state}`);
      }
      recent.splice(0, Math.max(0, recent.length - 8));
      schedule();
    },
    end() {
      clearInterval(tick);
      if (pending !== null) clearTimeout(pending);
    },
  };
}
