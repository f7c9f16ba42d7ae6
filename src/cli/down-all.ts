// `nestor down --all`: stops every live node of the cluster, one at a time, nodes running
// dependents before the nodes running what they depend on (shutdownOrder), each asked over the
// bus to shut down and awaited until its node.down event; the node this CLI talks through goes
// last, the way plain `nestor down` stops it, so the progress of the others stays visible.
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { followEvents, isNoResponders, isTimeout, requestNode } from '../bus/index.ts';
import type { BusReader } from '../bus/index.ts';
import { parseDuration } from '../spec/index.ts';
import { selectNodes, shutdownOrder } from '../views/index.ts';
import { closedSignal, connectInstance } from './connect.ts';
import type { CliContext } from './context.ts';
import { runDown } from './down.ts';
import type { DownFlags } from './down.ts';
import { CliFailure, UsageError } from './errors.ts';
import { stateAtPoint } from './history.ts';
import { askMembers, nodeSilent, requester } from './nodes.ts';
import type { Terminal } from './terminal.ts';

/** Flags of `nestor down --all`. */
export interface DownAllFlags extends DownFlags {
  json?: boolean;
}

/** How stopping one node went. */
interface NodeOutcome {
  node: string;
  ok: boolean;
  message: string;
}

const LIVE = new Set(['alive', 'suspect', 'draining']);

/** Stops every live node; exit 0 once all are down, 1 when one did not stop. */
export async function runDownAll(flags: DownAllFlags, ctx: CliContext, term: Terminal): Promise<number> {
  const timeoutMs = parseDuration(flags.timeout ?? '60s');
  if (timeoutMs === null || timeoutMs <= 0) throw new UsageError(`--timeout ${JSON.stringify(flags.timeout)}: expected a duration such as 30s or 2m`);
  const outcomes: NodeOutcome[] = [];
  const conn = await connectInstance(ctx, flags.file);
  const local = conn.info;
  let localHere = true;
  try {
    const [state, members] = await Promise.all([stateAtPoint(conn.bus), askMembers(conn.bus, local.node)]);
    const live = selectNodes(state, members).filter((r) => LIVE.has(r.state)).map((r) => r.id);
    const order = shutdownOrder(state, live.includes(local.node) ? live : [...live, local.node], local.node);
    term.info(`stopping ${order.length} node${order.length === 1 ? '' : 's'} in this order: ${order.join(', ')}`);
    for (const node of order.slice(0, -1)) {
      term.info(`node ${node}: shutting down`);
      const outcome = await stopRemote(conn.bus, node, timeoutMs, () => nodeSilent(state, node));
      term.info(`node ${node}: ${outcome.message}`);
      outcomes.push(outcome);
    }
    localHere = local.hostname === null || local.hostname === hostname();
    if (!localHere) {
      // The CLI talks to a node on another host: it can only ask it, like the others.
      term.info(`node ${local.node}: shutting down`);
      const outcome = await stopRemote(conn.bus, local.node, timeoutMs, () => nodeSilent(state, local.node), true);
      term.info(`node ${local.node}: ${outcome.message}`);
      outcomes.push(outcome);
    }
  } finally {
    await conn.close();
  }
  if (localHere) {
    term.info(`node ${local.node}: shutting down (this project's node, last)`);
    try {
      await runDown({ file: flags.file, timeout: flags.timeout, force: flags.force }, ctx, term);
      outcomes.push({ node: local.node, ok: true, message: 'down' });
    } catch (err) {
      if (!(err instanceof CliFailure)) throw err;
      outcomes.push({ node: local.node, ok: false, message: err.message });
    }
  }
  const ok = outcomes.every((o) => o.ok);
  if (flags.json) term.out(JSON.stringify({ ok, nodes: outcomes }));
  if (!ok) {
    const failed = outcomes.filter((o) => !o.ok);
    if (flags.json) return 1;
    throw new CliFailure(`not every node stopped: ${failed.map((o) => `${o.node}: ${o.message}`).join('; ')}`);
  }
  return 0;
}

// Asks one node to shut down and waits for its node.down event (or, for the node whose bus
// this is, for the connection to end with it).
async function stopRemote(bus: BusReader, node: string, timeoutMs: number, silent: () => string, ownBus = false): Promise<NodeOutcome> {
  const from = (await bus.lastSeq()) + 1;
  try {
    const reply = await requestNode(bus, node, 'shutdown', { requestedBy: requester() });
    if (!reply.ok) return { node, ok: false, message: `refused: ${reply.message}` };
  } catch (err) {
    if (isNoResponders(err) || isTimeout(err)) return { node, ok: false, message: silent() };
    throw err;
  }
  const started = Date.now();
  const down = await waitDown(bus, node, from, timeoutMs);
  if (down || (ownBus && bus.isClosed())) return { node, ok: true, message: `down after ${((Date.now() - started) / 1000).toFixed(1)}s` };
  return { node, ok: false, message: `accepted the shutdown but was not down after ${timeoutMs / 1000}s` };
}

// Down is its node.down event, or the node no longer answering requests: once half the
// servers of a cluster have stopped, the event stream has no quorum left and the last nodes'
// node.down cannot be stored, while plain requests still reach whoever runs.
async function waitDown(bus: BusReader, node: string, fromSeq: number, timeoutMs: number): Promise<boolean> {
  const done = new AbortController();
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), closedSignal({ bus }), done.signal]);
  const byEvent = (async () => {
    try {
      // Another node may declare it down (node.down from a survivor), so every node's down counts.
      for await (const item of followEvents(bus, { fromSeq, filter: 'orchestrator.node.*.down', signal })) {
        if (item.ok && item.event.type === 'orchestrator.node.down' && item.event.data.node === node) return true;
      }
    } catch {
      // no stream to read (lost quorum): the requests below decide
    }
    return signal.aborted ? false : new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true }));
  })();
  const bySilence = (async () => {
    while (!signal.aborted) {
      await sleep(500);
      try {
        await requestNode(bus, node, 'nodes', {}, 1_000);
      } catch (err) {
        if (isNoResponders(err)) return true;
      }
    }
    return false;
  })();
  const down = await Promise.race([byEvent, bySilence]);
  done.abort();
  return down;
}
