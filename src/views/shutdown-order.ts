// The order `nestor down --all` stops the nodes of a cluster in: a node whose services others
// depend on stops after the nodes running those dependents, so nothing loses a dependency while
// it still runs; the node the CLI talks through stops last, since its bus carries the progress.
import type { State } from '../state/index.ts';

/**
 * `nodes` in the order to stop them: dependents' nodes first (services' dependencies across
 * nodes), ties and dependency cycles broken by id, `last` (when listed) at the end.
 */
export function shutdownOrder(state: State, nodes: readonly string[], last: string | null): string[] {
  const wanted = new Set(nodes);
  const nodesOf = new Map<string, Set<string>>();
  for (const s of Object.values(state.services)) {
    if (s.node === '' || !wanted.has(s.node)) continue;
    const set = nodesOf.get(s.service) ?? new Set<string>();
    set.add(s.node);
    nodesOf.set(s.service, set);
  }
  // before.get(a) holds the nodes that must stop before a: those running a dependent of a's services.
  const before = new Map<string, Set<string>>([...wanted].map((n) => [n, new Set<string>()]));
  for (const s of Object.values(state.services)) {
    if (s.node === '' || !wanted.has(s.node)) continue;
    for (const dep of s.dependencies) {
      for (const n of nodesOf.get(dep.id) ?? []) if (n !== s.node) before.get(n)?.add(s.node);
    }
  }
  const order: string[] = [];
  const left = new Set([...wanted].filter((n) => n !== last));
  while (left.size > 0) {
    const free = [...left].filter((n) => [...(before.get(n) ?? [])].every((m) => !left.has(m))).sort();
    // A cycle: stop the node that waits on the fewest others still running, so progress continues.
    const pick =
      free[0] ?? [...left].sort((a, b) => count(before.get(a), left) - count(before.get(b), left) || (a < b ? -1 : 1))[0];
    order.push(pick as string);
    left.delete(pick as string);
  }
  if (last !== null && wanted.has(last)) order.push(last);
  return order;
}

function count(set: Set<string> | undefined, among: Set<string>): number {
  return [...(set ?? [])].filter((n) => among.has(n)).length;
}
