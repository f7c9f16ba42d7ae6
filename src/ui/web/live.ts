// Keeps every open dashboard current. One renderer per server listens to the live state, marks
// what an event changed (header, table, graph, feed, one service's pane or log) and, a few
// milliseconds later, renders each changed fragment once and hands the same frames to every
// dashboard stream (each with its own bounded queue: a slow browser is dropped and reconnects,
// it never delays the others). Uptimes move with time, so a one-second tick re-renders the
// rows and panes of services that have a process while any dashboard is open.
import { existsSync } from 'node:fs';
import type { ApiContext, SseConnection } from '../../api/index.ts';
import type { NestorEvent, Stored } from '../../events/index.ts';
import { tailLog } from '../../process/index.ts';
import { instanceName } from '../../events/index.ts';
import { groupOf, recordKeyOf, selectGraph, selectHeader, selectNodes, selectServiceRows, showLogLine } from '../../views/index.ts';
import type { State } from '../../state/index.ts';
import { mergeFragments, mergeSignals } from './datastar.ts';
import { renderGraph } from './graph-svg.ts';
import { LOG_LINES, detailFor, renderDetail, renderDetails, renderFeed, renderHeader, renderNodes, renderServices } from './render.ts';
import type { RenderContext } from './render.ts';

interface Dirty {
  header: boolean;
  services: boolean;
  graph: boolean;
  nodes: boolean;
  feed: boolean;
  /** The set of services changed: re-render the whole details container. */
  paneSet: boolean;
  panes: Set<string>;
  logs: Set<string>;
}

const FLUSH_MS = 20;
const TICK_MS = 1_000;
const HAS_PROCESS = new Set(['running', 'ready', 'stopping']);

/** Renders dashboard fragments on change and broadcasts them to the open dashboards. */
export class DashboardLive {
  readonly #ctx: ApiContext;
  readonly #render: RenderContext;
  readonly #clients = new Set<SseConnection>();
  readonly #logCache = new Map<string, string[]>();
  #dirty: Dirty = clean();
  #flushTimer: NodeJS.Timeout | null = null;
  #tick: NodeJS.Timeout | null = null;

  constructor(ctx: ApiContext, render: RenderContext) {
    this.#ctx = ctx;
    this.#render = render;
    ctx.live.subscribe((item, state, previous) => this.#onEvent(item.event, state, previous));
    ctx.live.onBroker(() => this.#mark((d) => (d.header = true)));
  }

  /** The last log lines of a service (cached until its next log event). */
  logs(id: string): string[] {
    let lines = this.#logCache.get(id);
    if (lines === undefined) {
      const file = this.#ctx.logFile(recordKeyOf(id) ?? id);
      const format = this.#ctx.logFormat(recordKeyOf(id) ?? id);
      lines = file !== null && existsSync(file) ? tailLog(file, LOG_LINES).map((l) => showLogLine(l, format)) : [];
      this.#logCache.set(id, lines);
    }
    return lines;
  }

  /** Adds a dashboard stream: it gets the whole page's fragments now, then every change. */
  add(conn: SseConnection): void {
    this.#clients.add(conn);
    void conn.done.then(() => {
      this.#clients.delete(conn);
      if (this.#clients.size === 0) this.#stopTick();
    });
    const { state, recent } = this.#ctx.live;
    const now = new Date();
    conn.send(mergeSignals({ live: true }));
    conn.send(mergeFragments(renderHeader(selectHeader(state, this.#ctx.node, this.#ctx.live.broker), this.#render)));
    conn.send(mergeFragments(renderServices(selectServiceRows(state, now), this.#render)));
    conn.send(mergeFragments(renderNodes(selectNodes(state, this.#ctx.members()), this.#render)));
    conn.send(mergeFragments(renderGraph(selectGraph(state))));
    conn.send(mergeFragments(renderFeed(recent)));
    conn.send(mergeFragments(renderDetails(state, recent, (id) => this.logs(id), now, this.#render)));
    this.#startTick();
  }

  /** Open dashboard streams. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Stops the timers (server shutdown). */
  stop(): void {
    this.#stopTick();
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
  }

  #onEvent(e: Stored<NestorEvent>, state: State, previous: State): void {
    if (this.#clients.size === 0) {
      // Nobody watches (#mark would drop the marks anyway), so none of the per-event work below,
      // which is O(services), runs while hundreds of services start; a dashboard that connects
      // later renders everything, with log tails read afresh.
      this.#logCache.clear();
      return;
    }
    const service = (e.data as { service?: unknown }).service;
    // A service's pane and each of its instances' panes may show what the event changed.
    const panes = typeof service === 'string' ? paneIds(state, service) : [];
    if (e.type === 'orchestrator.service.log') for (const id of panes) this.#logCache.delete(id);
    this.#mark((d) => {
      d.header = true;
      d.feed = true;
      if (state.services !== previous.services) {
        d.services = true;
        d.graph = true;
        d.nodes = true;
      }
      if (state.nodes !== previous.nodes) d.nodes = true;
      if (Object.keys(state.services).length !== Object.keys(previous.services).length) d.paneSet = true;
      for (const id of panes) {
        d.panes.add(id);
        if (e.type === 'orchestrator.service.log') d.logs.add(id);
      }
      // A node event can move every service of the node.
      if (e.type === 'orchestrator.node.up' || e.type === 'orchestrator.node.down') d.paneSet = true;
    });
  }

  #mark(change: (d: Dirty) => void): void {
    change(this.#dirty);
    if (this.#clients.size === 0) {
      // Nobody watches: a dashboard that connects later renders everything anyway.
      this.#dirty = clean();
      return;
    }
    this.#flushTimer ??= setTimeout(() => this.#flush(), FLUSH_MS);
  }

  #flush(): void {
    this.#flushTimer = null;
    const d = this.#dirty;
    this.#dirty = clean();
    if (this.#clients.size === 0) return;
    const { state, recent } = this.#ctx.live;
    const now = new Date();
    const frames: string[] = [];
    if (d.header) frames.push(mergeFragments(renderHeader(selectHeader(state, this.#ctx.node, this.#ctx.live.broker), this.#render)));
    if (d.services) frames.push(mergeFragments(renderServices(selectServiceRows(state, now), this.#render)));
    if (d.nodes) frames.push(mergeFragments(renderNodes(selectNodes(state, this.#ctx.members()), this.#render)));
    if (d.graph) frames.push(mergeFragments(renderGraph(selectGraph(state))));
    if (d.feed) frames.push(mergeFragments(renderFeed(recent)));
    if (d.paneSet) {
      frames.push(mergeFragments(renderDetails(state, recent, (id) => this.logs(id), now, this.#render)));
    } else {
      for (const id of new Set([...d.panes, ...d.logs])) {
        const detail = detailFor(state, id, now);
        if (detail !== null) frames.push(mergeFragments(renderDetail(detail, recent, this.logs(id), this.#render)));
      }
    }
    const batch = frames.join('');
    for (const conn of this.#clients) conn.send(batch);
  }

  #startTick(): void {
    this.#tick ??= setInterval(() => {
      const state = this.#ctx.live.state;
      // A planned run's countdown ("in 3m 10s") moves with time too.
      const live = Object.values(state.services).filter((s) => HAS_PROCESS.has(s.state) || s.nextRunAt !== null);
      if (live.length === 0) return;
      this.#mark((d) => {
        d.services = true;
        for (const s of live) for (const id of paneIds(state, s.service)) d.panes.add(id);
      });
    }, TICK_MS);
    this.#tick.unref();
  }

  #stopTick(): void {
    if (this.#tick !== null) clearInterval(this.#tick);
    this.#tick = null;
  }
}

function clean(): Dirty {
  return { header: false, services: false, graph: false, nodes: false, feed: false, paneSet: false, panes: new Set(), logs: new Set() };
}

// The panes of a service: its own, plus one per instance when it has several (the rows' ids).
function paneIds(state: State, service: string): string[] {
  const group = groupOf(state, service);
  if (group === null || group.instances.length < 2) return [service];
  return [service, ...group.instances.map((s) => instanceName(s.service, s.instance))];
}
