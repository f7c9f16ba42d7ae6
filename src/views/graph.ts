// The dependency picture both UIs draw: services in layers by dependency depth, with boxes and
// arrows in SVG units (the TUI draws the same layers as text).
import { getService, sortedServices } from '../state/index.ts';
import type { LifecycleState, ServiceState, State } from '../state/index.ts';
import { toneOf } from './tone.ts';
import type { Tone } from './tone.ts';

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
