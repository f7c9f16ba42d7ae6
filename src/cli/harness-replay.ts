// `nestor harness replay FILE [--keep] [--json]`: replays a captured event log through a real,
// throwaway instance. A harness boots (memory store, random ports, a `.data-test` dir), the
// log's events are published onto its bus in order, and the state its recorder reduces from the
// stream is checked against the pure replay of the file. With --keep the instance stays up so
// `NESTOR_URL=... nestor watch` (or the dashboard) can explore it until Ctrl-C.
import { randomBytes } from 'node:crypto';
import { createHarness, republishEvents } from '../harness/index.ts';
import { parseEventLog, replayLog } from '../state/index.ts';
import { selectStatusJson } from '../views/index.ts';
import type { State } from '../state/index.ts';
import { followSignal } from './context.ts';
import type { CliContext } from './context.ts';
import { CliFailure } from './errors.ts';
import { printState, readLogFile, reportSkips } from './replay.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor harness replay`. */
export interface HarnessReplayFlags {
  json?: boolean;
  keep?: boolean;
}

/** Replays a log onto a fresh harness; exit 1 when the bus-side state differs from the pure replay. */
export async function runHarnessReplay(file: string, flags: HarnessReplayFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const { path, text } = await readLogFile(ctx, file);
  const expected = replayLog(text);
  reportSkips(expected, path, term);
  const { events } = parseEventLog(text);
  const logNodes = new Set(events.map((e) => e.origin.node));
  // The harness's own controller must not take the log's registrations for its own.
  let node = 'harness-replay';
  while (logNodes.has(node)) node = `harness-replay-${randomBytes(2).toString('hex')}`;
  const env = ctx.env.NESTOR_NATS_SERVER === undefined ? {} : { NESTOR_NATS_SERVER: ctx.env.NESTOR_NATS_SERVER };
  const h = await createHarness({ name: 'replay', cwd: ctx.cwd, env, flags: { node } });
  try {
    const lastSeq = await republishEvents(h.bus, events);
    const live = lastSeq === 0 ? h.state() : await h.waitUntil(`the replayed log through seq ${lastSeq}`, (s) => s.seq >= lastSeq);
    const diff = differences(expected.state, live);
    if (diff.length > 0) {
      throw new CliFailure(`the state reduced from the bus differs from the replay of ${path}:\n${diff.map((d) => `  ${d}`).join('\n')}`);
    }
    printState(live, flags.json === true, term);
    term.info(`${events.length} event(s) published to ${h.bus.natsUrl}; the state reduced from the stream matches the replay`);
    if (flags.keep) {
      term.info(`explore it from another terminal with NESTOR_URL=${h.bus.natsUrl} (e.g. \`nestor watch\`); Ctrl-C stops it`);
      const stop = followSignal(ctx);
      if (!stop.aborted) await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
    }
    return 0;
  } finally {
    await h.close();
  }
}

// Services are compared on their status documents; sequences differ (the harness's own node.up
// comes first on its stream), so `seq` is left out.
function differences(expected: State, live: State): string[] {
  const a = new Map(selectStatusJson(expected).services.map((s) => [s.id, JSON.stringify(s)]));
  const b = new Map(selectStatusJson(live).services.map((s) => [s.id, JSON.stringify(s)]));
  const out: string[] = [];
  for (const id of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(id) !== b.get(id)) out.push(`${id}: replay ${a.get(id) ?? '(absent)'} / bus ${b.get(id) ?? '(absent)'}`);
  }
  return out;
}
