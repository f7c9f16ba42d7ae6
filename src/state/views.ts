// View models the web dashboard and the terminal UI share beyond the table rows of
// selectors.ts: the header, the detail fields, the event feed, the dependency graph layout and
// the actions a service offers. Both renderers draw exactly these, so they show the same facts
// with the same words. Pure: no clock, the caller passes whatever changes with time.
import type { CommandVerb, NestorEvent, Stored } from '../events/index.ts';
import { getNode, getService } from './lookup.ts';
import { formatDuration, selectCounts, sortedServices, toneOf } from './selectors.ts';
import type { ServiceCounts, ServiceDetail, Tone } from './selectors.ts';
import type { LifecycleState, ServiceState, State } from './types.ts';

/** The header of both UIs: which node, how the broker is, how many services are well. */
export interface HeaderView {
  node: string;
  nodeStatus: 'up' | 'down' | 'unknown';
  version: string;
  nats: string;
  broker: 'connected' | 'reconnecting' | 'disconnected' | 'unknown';
  brokerTone: Tone;
  /** Stream sequence the view reflects. */
  seq: number;
  counts: ServiceCounts;
  /** "3 services · 2 ready · 1 disabled" */
  summary: string;
}

/** Selects the header; `broker` overrides the event-derived broker status with a live observation. */
export function selectHeader(state: State, node: string, broker?: HeaderView['broker']): HeaderView {
  const n = getNode(state, node);
  const counts = selectCounts(state);
  const status = broker ?? n?.broker ?? 'unknown';
  const parts = [`${counts.total} service${counts.total === 1 ? '' : 's'}`];
  for (const [name, count] of Object.entries(counts.byState)) if (count > 0) parts.push(`${count} ${name}`);
  return {
    node,
    nodeStatus: n?.status ?? 'unknown',
    version: n?.version ?? '',
    nats: n?.nats ?? '',
    broker: status,
    brokerTone: status === 'connected' ? 'ok' : status === 'reconnecting' ? 'warn' : status === 'unknown' ? 'muted' : 'error',
    seq: state.seq,
    counts,
    summary: parts.join(' · '),
  };
}

/** A health badge: both probes folded into one word. */
export interface HealthView {
  text: string;
  tone: Tone;
}

/** The health column: failing liveness wins, then readiness, then "healthy"; '-' before any probe reported. */
export function selectHealth(health: ServiceState['health']): HealthView {
  if (health.liveness === 'failing') return { text: 'unhealthy', tone: 'error' };
  if (health.readiness === 'failing') return { text: 'not ready', tone: 'warn' };
  if (health.readiness === 'passing' || health.liveness === 'passing') return { text: 'healthy', tone: 'ok' };
  return { text: '-', tone: 'muted' };
}

/** A command a person can give a service from either UI, with its key in the TUI. */
export interface ServiceAction {
  verb: Extract<CommandVerb, 'enable' | 'disable' | 'restart'>;
  key: string;
  label: string;
}

/** The actions both UIs offer, in display order. */
export const SERVICE_ACTIONS: readonly ServiceAction[] = [
  { verb: 'enable', key: 'e', label: 'Enable' },
  { verb: 'disable', key: 'd', label: 'Disable' },
  { verb: 'restart', key: 'r', label: 'Restart' },
];

/** Keys of the TUI besides the actions; the web page lists the same in its help. */
export const NAVIGATION_KEYS: readonly { key: string; label: string }[] = [
  { key: '↑/↓ j/k', label: 'select a service' },
  { key: '?', label: 'show or hide help' },
  { key: 'q', label: 'quit' },
];

/** Which actions make sense now: enable a disabled service, disable or restart an enabled one. */
export function availableActions(service: Pick<ServiceState, 'enabled' | 'state'>): ServiceAction['verb'][] {
  if (!service.enabled) return ['enable'];
  return service.state === 'starting' ? ['disable'] : ['disable', 'restart'];
}

/** One labelled fact of the detail pane. */
export interface DetailField {
  label: string;
  value: string;
}

/** The facts of the detail pane, in order, as text. */
export function detailFields(d: ServiceDetail): DetailField[] {
  const exit = d.lastExit === null ? '-' : `${d.lastExit.code !== null ? `code ${d.lastExit.code}` : `signal ${d.lastExit.signal ?? '?'}`} at ${d.lastExit.at}`;
  return [
    { label: 'State', value: d.state },
    { label: 'Enabled', value: d.enabled ? 'yes' : 'no' },
    { label: 'PID', value: d.pid === null ? '-' : String(d.pid) },
    { label: 'Ports', value: d.portList.length === 0 ? '-' : d.portList.join(' ') },
    { label: 'Restarts', value: String(d.restarts) },
    { label: 'Uptime', value: d.uptime },
    { label: 'Health', value: selectHealth(d.health).text },
    { label: 'Node', value: d.node },
    { label: 'Kind', value: d.kind },
    { label: 'Depends on', value: d.dependencies.length === 0 ? '-' : d.dependencies.map((x) => `${x.id} (${x.condition})`).join(', ') },
    { label: 'Waiting for', value: d.waitingFor.length === 0 ? '-' : d.waitingFor.join(', ') },
    { label: 'Last exit', value: exit },
    { label: 'Last error', value: d.lastError ?? '-' },
    { label: 'Next restart', value: d.nextRestartAt ?? '-' },
    { label: 'Log', value: `${d.log.lines} lines, ${d.log.bytes} bytes` },
  ];
}

/** One line of the event feed. */
export interface FeedRow {
  seq: number;
  /** HH:MM:SS of the event's timestamp (UTC, as stored). */
  time: string;
  type: string;
  /** The type without its `orchestrator.` prefix. */
  short: string;
  /** The service, or `node <id>` for node events. */
  subject: string;
  summary: string;
  tone: Tone;
}

/** Feed row of a stored event. */
export function selectFeedRow(e: Stored<NestorEvent>): FeedRow {
  const data = e.data as { service?: unknown; node?: unknown };
  const subject = typeof data.service === 'string' ? data.service : typeof data.node === 'string' ? `node ${data.node}` : '';
  return {
    seq: e.seq,
    time: /T(\d\d:\d\d:\d\d)/.exec(e.timestamp)?.[1] ?? e.timestamp,
    type: e.type,
    short: e.type.replace(/^orchestrator\./, ''),
    subject,
    summary: summarizeEvent(e),
    tone: feedTone(e),
  };
}

/** Appends an event to a bounded list of recent events (newest last); returns a new list. */
export function appendRecent(recent: readonly Stored<NestorEvent>[], e: Stored<NestorEvent>, limit: number): Stored<NestorEvent>[] {
  const out = recent.length >= limit ? recent.slice(recent.length - limit + 1) : recent.slice();
  out.push(e);
  return out;
}

/** The last `n` feed rows about one service, newest first. */
export function recentFor(recent: readonly Stored<NestorEvent>[], service: string, n: number): FeedRow[] {
  const rows: FeedRow[] = [];
  for (let i = recent.length - 1; i >= 0 && rows.length < n; i--) {
    const e = recent[i] as Stored<NestorEvent>;
    if ((e.data as { service?: unknown }).service === service) rows.push(selectFeedRow(e));
  }
  return rows;
}

/** The last `n` feed rows, newest first. */
export function selectFeed(recent: readonly Stored<NestorEvent>[], n: number): FeedRow[] {
  return recent.slice(-n).reverse().map(selectFeedRow);
}

/** One sentence about an event, the same in every UI. */
export function summarizeEvent(e: NestorEvent): string {
  switch (e.type) {
    case 'orchestrator.service.register':
      return `spec v${e.data.specVersion} from ${e.data.source}${e.data.enabled === false ? ' (disabled)' : ''}`;
    case 'orchestrator.service.register.rejected':
      return `rejected: ${e.data.errors.length} problem(s)${e.data.errors[0] ? `, ${e.data.errors[0].path}: expected ${e.data.errors[0].expected}` : ''}`;
    case 'orchestrator.service.pending':
      return e.data.waitingFor.length === 0 ? 'pending' : `waiting for ${e.data.waitingFor.join(', ')}`;
    case 'orchestrator.service.starting':
      return e.data.attempt === 0 ? 'starting' : `starting (attempt ${e.data.attempt})`;
    case 'orchestrator.service.ensure':
      return `${e.data.actions.length} ensure action(s)`;
    case 'orchestrator.service.port.conflict':
      return `port ${e.data.portName}=${e.data.port} held by ${e.data.ownerPid === null ? 'another process' : `pid ${e.data.ownerPid}`}`;
    case 'orchestrator.service.port.reclaimed':
      return `port ${e.data.portName}=${e.data.port} reclaimed from pid ${e.data.pid}`;
    case 'orchestrator.service.start':
      return `pid ${e.data.pid} started (attempt ${e.data.attempt})${portText(e.data.ports)}`;
    case 'orchestrator.service.ready':
      return `pid ${e.data.pid} ready in ${formatDuration(e.data.elapsedMs)}`;
    case 'orchestrator.service.health':
      return `${e.data.probe} ${e.data.status}${e.data.latencyMs === null ? '' : ` (${e.data.latencyMs.toFixed(1)} ms)`}`;
    case 'orchestrator.service.stop':
      return `${e.data.signal} to pid ${e.data.pid ?? '-'} (${e.data.reason})`;
    case 'orchestrator.service.exit':
      return `pid ${e.data.pid} exited with ${e.data.code !== null ? `code ${e.data.code}` : `signal ${e.data.signal ?? '?'}`} after ${formatDuration(e.data.runtimeMs)}${e.data.expected ? '' : ' (unexpected)'}`;
    case 'orchestrator.service.start.failed':
      return `start failed (${e.data.reason}): ${e.data.error}`;
    case 'orchestrator.service.restart.scheduled':
      return `restart ${e.data.attempt} in ${formatDuration(e.data.delayMs)} (${e.data.reason})`;
    case 'orchestrator.service.retries.exhausted':
      return `gave up after ${e.data.attempts} attempt(s) (max ${e.data.maxRestarts})`;
    case 'orchestrator.service.disabled':
      return `disabled (${e.data.reason})`;
    case 'orchestrator.service.log':
      return `${e.data.stream} +${e.data.lines} line(s)${e.data.rotated ? ', rotated' : ''}`;
    case 'orchestrator.command.enable':
    case 'orchestrator.command.disable':
    case 'orchestrator.command.start':
    case 'orchestrator.command.stop':
    case 'orchestrator.command.restart': {
      const by = e.data.requestedBy;
      return `${e.type.slice('orchestrator.command.'.length)} requested by ${by.user ?? by.component}@${by.node}`;
    }
    case 'orchestrator.node.up':
      return `up: pid ${e.data.pid}, nats ${e.data.nats}${e.data.api === null ? '' : `, api ${e.data.api}`}`;
    case 'orchestrator.node.down':
      return `down: ${e.data.reason}`;
    case 'orchestrator.node.broker':
      return `broker ${e.data.status} (${e.data.url})`;
    case 'orchestrator.snapshot.saved':
      return `snapshot through #${e.data.throughSeq}`;
  }
}

function portText(ports: Record<string, number>): string {
  const list = Object.entries(ports).map(([n, p]) => `${n}:${p}`);
  return list.length === 0 ? '' : `, ports ${list.join(' ')}`;
}

function feedTone(e: NestorEvent): Tone {
  switch (e.type) {
    case 'orchestrator.service.ready':
    case 'orchestrator.node.up':
      return 'ok';
    case 'orchestrator.service.start.failed':
    case 'orchestrator.service.retries.exhausted':
    case 'orchestrator.service.port.conflict':
    case 'orchestrator.service.register.rejected':
      return 'error';
    case 'orchestrator.service.exit':
      return e.data.expected ? 'muted' : 'error';
    case 'orchestrator.service.health':
      return e.data.status === 'passing' ? 'ok' : 'warn';
    case 'orchestrator.service.restart.scheduled':
    case 'orchestrator.service.stop':
    case 'orchestrator.node.down':
      return 'warn';
    case 'orchestrator.node.broker':
      return e.data.status === 'connected' ? 'ok' : 'warn';
    case 'orchestrator.service.register':
    case 'orchestrator.service.pending':
    case 'orchestrator.service.starting':
    case 'orchestrator.service.ensure':
    case 'orchestrator.service.port.reclaimed':
    case 'orchestrator.service.start':
    case 'orchestrator.service.disabled':
    case 'orchestrator.service.log':
    case 'orchestrator.command.enable':
    case 'orchestrator.command.disable':
    case 'orchestrator.command.start':
    case 'orchestrator.command.stop':
    case 'orchestrator.command.restart':
    case 'orchestrator.snapshot.saved':
      return 'muted';
  }
}

/** A box of the dependency picture. */
export interface GraphNodeView {
  id: string;
  label: string;
  state: LifecycleState;
  tone: Tone;
  layer: number;
  x: number;
  y: number;
}

/** An arrow from a service to a dependency it needs. */
export interface GraphEdgeView {
  from: string;
  to: string;
  condition: string;
  /** The dependency currently meets the condition. */
  met: boolean;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** The dependency graph laid out in layers: dependencies left, dependents right. */
export interface GraphLayout {
  width: number;
  height: number;
  nodeWidth: number;
  nodeHeight: number;
  /** Service ids per layer (start order); the TUI draws these as text. */
  layers: string[][];
  nodes: GraphNodeView[];
  edges: GraphEdgeView[];
}

/** Size of the picture's units; the SVG uses them as pixels. */
const NODE_W = 150;
const NODE_H = 46;
const GAP_X = 70;
const GAP_Y = 18;
const PAD = 10;

/** Lays the registered services out by dependency depth (a service sits right of what it needs). */
export function selectGraph(state: State): GraphLayout {
  const services = sortedServices(state);
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (s: ServiceState): number => {
    const known = depth.get(s.id);
    if (known !== undefined) return known;
    if (visiting.has(s.id)) return 0; // a cycle (refused by validation): break it anywhere
    visiting.add(s.id);
    let d = 0;
    for (const dep of s.dependencies) {
      const target = getService(state, dep.id);
      if (target !== undefined) d = Math.max(d, depthOf(target) + 1);
    }
    visiting.delete(s.id);
    depth.set(s.id, d);
    return d;
  };
  const layers: string[][] = [];
  for (const s of services) (layers[depthOf(s)] ??= []).push(s.id);
  for (let i = 0; i < layers.length; i++) layers[i] ??= [];

  const nodes: GraphNodeView[] = [];
  const at = new Map<string, GraphNodeView>();
  layers.forEach((ids, layer) =>
    ids.forEach((id, row) => {
      const s = getService(state, id) as ServiceState;
      const node = { id, label: s.displayName || id, state: s.state, tone: toneOf(s.state), layer, x: PAD + layer * (NODE_W + GAP_X), y: PAD + row * (NODE_H + GAP_Y) };
      nodes.push(node);
      at.set(id, node);
    }),
  );
  const edges: GraphEdgeView[] = [];
  for (const s of services) {
    const from = at.get(s.id) as GraphNodeView;
    for (const dep of s.dependencies) {
      const to = at.get(dep.id);
      const target = getService(state, dep.id);
      if (to === undefined || target === undefined) continue;
      edges.push({
        from: s.id,
        to: dep.id,
        condition: dep.condition,
        met: meets(target.state, dep.condition),
        x1: from.x,
        y1: from.y + NODE_H / 2,
        x2: to.x + NODE_W,
        y2: to.y + NODE_H / 2,
      });
    }
  }
  const rows = Math.max(0, ...layers.map((l) => l.length));
  return {
    width: layers.length === 0 ? 0 : PAD * 2 + layers.length * NODE_W + (layers.length - 1) * GAP_X,
    height: rows === 0 ? 0 : PAD * 2 + rows * NODE_H + (rows - 1) * GAP_Y,
    nodeWidth: NODE_W,
    nodeHeight: NODE_H,
    layers,
    nodes,
    edges,
  };
}

function meets(state: LifecycleState, condition: string): boolean {
  switch (condition) {
    case 'completed':
      return state === 'completed';
    case 'started':
      return state === 'running' || state === 'ready' || state === 'completed';
    default:
      return state === 'ready' || state === 'completed';
  }
}
