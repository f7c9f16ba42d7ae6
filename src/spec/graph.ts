// The dependency graph: start layers, stop layers, dependents, cycles. Edges to ids outside the
// given set are ignored, so a selection (--only) can be ordered on its own. Results are sorted
// by id wherever order is free, so every node computes the same order.
import { SpecError } from './issues.ts';
import { own } from './own.ts';

/** The part of a spec the graph needs. */
export type GraphNode = { readonly dependencies: readonly { readonly id: string }[] };
/** Services by id. */
export type GraphServices = Readonly<Record<string, GraphNode>>;

function edges(services: GraphServices, id: string): string[] {
  const deps = own(services, id)?.dependencies ?? [];
  return [...new Set(deps.map((d) => d.id))].filter((d) => Object.hasOwn(services, d)).sort();
}

/** Strongly connected components (Tarjan), each sorted; only cyclic ones (size > 1 or self-loop). */
function cyclicComponents(services: GraphServices): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of edges(services, v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || edges(services, v).includes(v)) out.push(comp.sort());
    }
  };
  for (const id of Object.keys(services).sort()) if (!index.has(id)) visit(id);
  return out.sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1));
}

/** Shortest dependency path from `start` back to itself inside `members` (breadth-first). */
function cycleThrough(services: GraphServices, start: string, members: Set<string>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift() as string;
    for (const w of edges(services, v)) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u) as string) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/**
 * Every independent cycle, one per cyclic component, as a path that ends where it starts:
 * ['a', 'b', 'c', 'a']. It starts at the smallest id of the component that `prefer` accepts.
 */
export function findCycles(services: GraphServices, prefer: (id: string) => boolean = () => true): string[][] {
  return cyclicComponents(services).map((comp) => {
    const start = comp.find(prefer) ?? (comp[0] as string);
    return cycleThrough(services, start, new Set(comp));
  });
}

/** One dependency cycle as a closed path (['a', 'b', 'a']), or null when there is none. */
export function findCycle(services: GraphServices): string[] | null {
  return findCycles(services)[0] ?? null;
}

/** "a -> b -> c -> a". */
export function formatCycle(cycle: readonly string[]): string {
  return cycle.join(' -> ');
}

function cycleError(cycles: string[][]): SpecError {
  return new SpecError(
    cycles.map((c) => ({ path: `services.${c[0]}.dependencies`, expected: 'no dependency cycle', got: formatCycle(c) })),
  );
}

/** Start layers: each layer depends only on earlier ones; ids sorted within a layer. Throws SpecError on a cycle. */
export function startOrder(services: GraphServices): string[][] {
  const cycles = findCycles(services);
  if (cycles.length > 0) throw cycleError(cycles);
  const layerOf = new Map<string, number>();
  const depth = (id: string): number => {
    const known = layerOf.get(id);
    if (known !== undefined) return known;
    const d = Math.max(-1, ...edges(services, id).map(depth)) + 1;
    layerOf.set(id, d);
    return d;
  };
  const layers: string[][] = [];
  for (const id of Object.keys(services).sort()) {
    const d = depth(id);
    (layers[d] ??= []).push(id);
  }
  return layers.filter((l) => l.length > 0);
}

/** Stop layers: dependents before their dependencies (startOrder reversed). */
export function stopOrder(services: GraphServices): string[][] {
  return startOrder(services).reverse();
}

/** Services that depend on `id` (directly, or also transitively), sorted. */
export function dependents(services: GraphServices, id: string, opts: { transitive?: boolean } = {}): string[] {
  const found = new Set<string>();
  const queue = [id];
  while (queue.length > 0) {
    const target = queue.shift() as string;
    for (const other of Object.keys(services)) {
      if (found.has(other) || !edges(services, other).includes(target)) continue;
      found.add(other);
      if (opts.transitive) queue.push(other);
    }
  }
  found.delete(id);
  return [...found].sort();
}

/** Services that `id` depends on (directly, or also transitively), sorted. */
export function dependenciesOf(services: GraphServices, id: string, opts: { transitive?: boolean } = {}): string[] {
  const found = new Set<string>();
  const queue = [id];
  while (queue.length > 0) {
    for (const dep of edges(services, queue.shift() as string)) {
      if (found.has(dep)) continue;
      found.add(dep);
      if (opts.transitive) queue.push(dep);
    }
  }
  found.delete(id);
  return [...found].sort();
}
