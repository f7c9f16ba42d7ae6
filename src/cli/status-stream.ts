// The state for `status` and `list` read from the event stream itself: the fallback when the
// node's API does not answer, and the only way for what the API does not keep (`status --at`,
// the PATH a failed start searched). Loaded only then, since it brings the NATS client.
import { readEvents } from '../bus/index.ts';
import { pathDirectories } from '../process/index.ts';
import type { State } from '../state/index.ts';
import { openConnection } from './connect.ts';
import { stateAtPoint } from './history.ts';
import type { Point } from './history.ts';
import type { Target } from './target.ts';

/** The state at a point (now without one) from the stream, and the stream for further reads. */
export interface StreamState extends AsyncDisposable {
  state: State;
  dataDir: string;
  /** Lines naming the PATH searched by the last failed start of `id` up to `until`. */
  searchPathLines(id: string, until: number): Promise<string[]>;
}

/** Connects to `target` and reduces its stream up to `point`. */
export async function openStreamState(target: Target, point: Point | undefined): Promise<StreamState> {
  const conn = await openConnection(target);
  try {
    const state = await stateAtPoint(conn.bus, point);
    return {
      state,
      dataDir: conn.info.dataDir,
      searchPathLines: (id, until) => searchPathLines(conn, id, until),
      [Symbol.asyncDispose]: () => conn.close(),
    };
  } catch (err) {
    await conn.close().catch(() => {});
    throw err;
  }
}

// The PATH is recorded by the start.failed event itself (the node's environment, not this
// shell's, is what was searched); the last such event up to the state shown is the one listed.
async function searchPathLines(conn: Awaited<ReturnType<typeof openConnection>>, id: string, until: number): Promise<string[]> {
  let last: { at: string; attempt: number; path: string } | null = null;
  for await (const item of readEvents(conn.bus, { filter: `orchestrator.service.*.${id}.start.failed`, until })) {
    if (!item.ok || item.event.type !== 'orchestrator.service.start.failed') continue;
    const { searchPath, attempt } = item.event.data;
    if (searchPath !== undefined) last = { at: item.event.timestamp, attempt, path: searchPath };
  }
  if (last === null) return ['search path   - (no start of this service failed for a command missing from PATH)'];
  const dirs = pathDirectories(last.path);
  return [`search path   PATH searched by start attempt ${last.attempt} at ${last.at} (${dirs.length} directories, in order):`, ...dirs.map((d) => `  ${d}`)];
}
