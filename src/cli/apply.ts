// `nestor apply [-f FILE] [--dry-run] [--json]`: changes the running stack to match an edited
// project file without stopping it. The file is loaded and validated here (an invalid one exits 2
// with its field paths, and nothing is sent); the running node computes the difference with the
// specs it runs and acts on it (its `apply` request, src/boot/apply-project.ts), so `nestor up`
// run again and `up --watch` take the same path. Then, unless a dry run, the verb follows the
// stream until every added, changed or restarted service has started again and settled.
import { isNoResponders, isTimeout, requestNode } from '../bus/index.ts';
import { followState } from '../bus/index.ts';
import { prepareProject } from '../boot/index.ts';
import type { ApplyOutcome } from '../boot/index.ts';
import { loadProjectFile } from '../config/index.ts';
import { keyOf } from '../events/index.ts';
import type { NestorEvent, Stored } from '../events/index.ts';
import { parseDuration } from '../spec/index.ts';
import type { ProjectDiff } from '../spec/index.ts';
import { isSettled } from '../state/index.ts';
import type { State } from '../state/index.ts';
import { closedSignal, connectInstance } from './connect.ts';
import type { Connection } from './connect.ts';
import type { CliContext } from './context.ts';
import { CliFailure, UsageError } from './errors.ts';
import { requester } from './nodes.ts';
import type { Terminal } from './terminal.ts';
import { projectPath } from './validate.ts';

/** Flags of `nestor apply`. */
export interface ApplyFlags {
  file?: string;
  profile?: string;
  only?: string[];
  disable?: string[];
  dryRun?: boolean;
  json?: boolean;
  /** false with --no-wait: return once the node has acted. */
  wait?: boolean;
  timeout?: string;
}

/** A node builds .dep binaries of added services before it answers: the request may take a while. */
const APPLY_REQUEST_MS = 10 * 60_000;

/** Applies the project file to the running node; exit 0 once applied (and settled), 2 for an invalid file. */
export async function runApply(flags: ApplyFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const timeoutMs = parseDuration(flags.timeout ?? '2m');
  if (timeoutMs === null || timeoutMs <= 0) throw new UsageError(`--timeout ${JSON.stringify(flags.timeout)}: expected a duration such as 30s or 2m`);
  const source = projectPath(ctx, flags.file);
  const file = await loadProjectFile(source);
  const selection = { profile: flags.profile, only: flags.only, disable: flags.disable };
  // Validated here first: a bad edit is the user's to fix, and the node need not hear of it.
  prepareProject(file.raw, selection, source);
  await using conn = await connectInstance(ctx, flags.file);
  const before = await conn.bus.lastSeq();
  const outcome = await sendApply(conn, { raw: file.raw, source, ...selection, dryRun: flags.dryRun === true });
  if (!outcome.ok) {
    // The node judged it differently (another version of Nestor, say): its word counts.
    throw new CliFailure(`${source}: not applied: ${outcome.errors.map((e) => `${e.path}: expected ${e.expected}`).join('; ')}`);
  }
  if (!flags.json) for (const line of planLines(outcome.diff, source, outcome.applied)) term.out(line);
  if (outcome.applied && flags.wait !== false) await settle(conn, outcome.diff, before, timeoutMs, term);
  if (flags.json) term.out(JSON.stringify(diffJson(outcome.diff, source, outcome.applied)));
  return 0;
}

/** Sends an apply request to the connected node and returns its outcome. */
export async function sendApply(conn: Connection, body: Record<string, unknown>): Promise<ApplyOutcome> {
  let reply;
  try {
    reply = await requestNode<ApplyOutcome>(conn.bus, conn.info.node, 'apply', { ...body, requestedBy: requester() }, APPLY_REQUEST_MS);
  } catch (err) {
    if (!isNoResponders(err) && !isTimeout(err)) throw err;
    throw new CliFailure(`node ${conn.info.node} does not answer on ${conn.info.nats}; is the instance still running (\`nestor info\`)?`, { cause: err });
  }
  if (!reply.ok) throw new CliFailure(`node ${conn.info.node} refused the apply: ${reply.message}`);
  return reply.data;
}

/** The plan as terraform prints one: `+` added, `-` removed, `~` changed with its fields, then the count left alone. */
export function planLines(diff: ProjectDiff, source: string, applied: boolean): string[] {
  const lines = [`${applied ? 'Applied' : 'Plan for'} ${source}:`];
  for (const id of diff.added) lines.push(`  + ${id}`);
  for (const id of diff.removed) lines.push(`  - ${id}`);
  for (const c of diff.changed) lines.push(`  ~ ${c.service}: ${c.fields.join(', ')}`);
  for (const r of diff.restartedFor) lines.push(`  ↻ ${r.service} (restarts after ${r.because}: it reads ${r.because} through a placeholder)`);
  const counts = `${diff.added.length} to add, ${diff.removed.length} to remove, ${diff.changed.length} to change, ${diff.unchanged.length} unchanged`;
  lines.push(diff.added.length + diff.removed.length + diff.changed.length === 0 ? `  no changes (${diff.unchanged.length} unchanged)` : `  ${counts}`);
  if (!applied) lines.push('  dry run: nothing was changed');
  return lines;
}

function diffJson(diff: ProjectDiff, source: string, applied: boolean): Record<string, unknown> {
  return {
    ok: true,
    source,
    applied,
    added: diff.added,
    removed: diff.removed,
    changed: diff.changed,
    unchanged: diff.unchanged,
    restarted: diff.restartedFor,
  };
}

// An instance has taken the change once it started (or failed to) after the apply and settled;
// a removed service once its records have left the state.
async function settle(conn: Connection, diff: ProjectDiff, before: number, timeoutMs: number, term: Terminal): Promise<void> {
  const starting = new Set([...diff.added, ...diff.changed.map((c) => c.service), ...diff.restartedFor.map((r) => r.service)]);
  const removed = new Set(diff.removed);
  if (starting.size === 0 && removed.size === 0) return;
  const started = new Set<string>();
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  let done = false;
  let last: State | null = null;
  const atRest = (state: State): boolean => {
    const services = Object.values(state.services);
    if (services.some((s) => removed.has(s.service))) return false;
    return [...starting].every((id) => {
      const instances = services.filter((s) => s.service === id);
      return instances.length > 0 && instances.every((s) => (started.has(s.id) || !s.enabled) && isSettled(state, s));
    });
  };
  try {
    await followState(conn.bus, {
      signal: AbortSignal.any([ac.signal, closedSignal(conn)]),
      onEvent: (event: Stored<NestorEvent>, state) => {
        last = state;
        if (event.seq <= before || done) return;
        if ((event.type === 'orchestrator.service.start' || event.type === 'orchestrator.service.start.failed') && starting.has(event.data.service)) {
          started.add(keyOf(event.data));
        }
        if (atRest(state)) {
          done = true;
          ac.abort();
        }
      },
    });
  } finally {
    clearTimeout(timer);
  }
  if (done) return;
  if (conn.bus.isClosed()) throw new CliFailure('the instance stopped while the apply was taking effect');
  const open = last === null ? [...starting] : [...starting].filter((id) => !Object.values((last as State).services).some((s) => s.service === id && isSettled(last as State, s)));
  term.error(`still waiting for ${open.join(', ') || diff.removed.join(', ')} after ${timeoutMs / 1000}s`);
  throw new CliFailure('the apply was made but has not settled; `nestor status` shows where each service is');
}
