// Time of one placement of 10,000 instances over 100 nodes: from scratch, and again after a node
// dies with every instance held where the first pass put it (the common case: mostly sticky).
// The mix has spread, pack, tagged and pinned services. Run: node --import tsx bench/placement.ts
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { placeInstances } from '../src/cluster/core/index.ts';
import type { InstanceToPlace, Placement, PlacementNode } from '../src/cluster/core/index.ts';

/** Places `services` × `replicas` instances over `nodeCount` nodes and prints the time per pass. */
export function benchPlacement(nodeCount = 100, services = 1_000, replicas = 10, rounds = 10): { freshMs: number; afterDeathMs: number } {
  const nodes: PlacementNode[] = Array.from({ length: nodeCount }, (_, i) => ({
    id: `node-${i}`,
    tags: i % 4 === 0 ? ['gpu'] : [],
    alive: true,
    draining: i === 1,
  }));
  const placements: (Placement | undefined)[] = ['any', { strategy: 'pack' }, { tags: ['gpu'] }, undefined];
  const instances: InstanceToPlace[] = [];
  for (let s = 0; s < services; s++) {
    for (let n = 1; n <= replicas; n++) {
      instances.push({ service: `svc-${s}`, instance: n, placement: placements[s % 4], registeredBy: `node-${s % nodeCount}`, holder: null });
    }
  }
  const time = (run: () => Map<string, unknown>): { ms: number; result: Map<string, unknown> } => {
    let result = run();
    const t = performance.now();
    for (let r = 0; r < rounds; r++) result = run();
    return { ms: (performance.now() - t) / rounds, result };
  };
  const fresh = time(() => placeInstances(instances, nodes));
  const held = instances.map((i) => {
    const d = fresh.result.get(`${i.service}@${i.instance}`) as { kind: string; node?: string };
    return { ...i, holder: d.kind === 'placed' ? (d.node ?? null) : null };
  });
  const dead = nodes.map((n) => (n.id === 'node-2' ? { ...n, alive: false } : n));
  const after = time(() => placeInstances(held, dead));
  console.log(`placement: ${instances.length.toLocaleString('en-US')} instances over ${nodeCount} nodes: ${fresh.ms.toFixed(1)} ms from scratch, ${after.ms.toFixed(1)} ms after a node death`);
  return { freshMs: fresh.ms, afterDeathMs: after.ms };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) benchPlacement();
