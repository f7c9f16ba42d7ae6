// Placement of service instances on cluster nodes: a table of named situations with the decision
// each instance gets, then properties over random clusters: order does not matter, a placed
// instance is on a node allowed to run it, an eligible holder keeps its instance, spread
// balances, and a node's death moves only what that node held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { instanceName, movable, placeInstances } from '../../src/cluster/core/index.ts';
import type { InstanceToPlace, Placement, PlacementDecision, PlacementNode } from '../../src/cluster/core/index.ts';

const node = (id: string, more: Partial<PlacementNode> = {}): PlacementNode => ({ id, tags: [], alive: true, draining: false, ...more });
const three = [node('n1'), node('n2'), node('n3')];

/** `replicas` instances of one service, with the holders given in instance order. */
function service(name: string, placement: Placement | undefined, replicas = 1, holders: (string | null)[] = [], registeredBy = 'n1'): InstanceToPlace[] {
  return Array.from({ length: replicas }, (_, i) => ({ service: name, instance: i + 1, placement, registeredBy, holder: holders[i] ?? null }));
}

type Expect = { kind: PlacementDecision['kind']; node?: string; moved?: boolean; reason?: RegExp };
interface Case {
  name: string;
  nodes: PlacementNode[];
  instances: InstanceToPlace[];
  expect?: Record<string, Expect>;
  /** The nodes of the placed instances of this service, sorted: for choices a hash makes. */
  spreadOf?: [service: string, nodes: string[]];
  check?: (m: Map<string, PlacementDecision>) => void;
}

const nodesOf = (m: Map<string, PlacementDecision>, svc: string): string[] =>
  [...m].filter(([k, d]) => k.startsWith(`${svc}@`) && d.kind === 'placed').map(([, d]) => (d as { node: string }).node).sort();

const CASES: Case[] = [
  {
    name: 'no placement: pinned to the node that registered it',
    nodes: three,
    instances: service('db', undefined, 1, [], 'n2'),
    expect: { 'db@1': { kind: 'placed', node: 'n2', moved: true, reason: /registered it/ } },
  },
  {
    name: 'placement.node pins to that node',
    nodes: three,
    instances: service('db', { node: 'n3' }),
    expect: { 'db@1': { kind: 'placed', node: 'n3', reason: /pinned to n3 by its placement/ } },
  },
  {
    name: 'a nodes list restricts to those nodes',
    nodes: three,
    instances: service('api', { nodes: ['n3', 'n2'] }, 2),
    spreadOf: ['api', ['n2', 'n3']],
  },
  {
    name: 'tags require every tag',
    nodes: [node('n1', { tags: ['gpu'] }), node('n2', { tags: ['gpu', 'ssd'] }), node('n3', { tags: ['ssd'] })],
    instances: service('ml', { tags: ['ssd', 'gpu'] }, 2),
    spreadOf: ['ml', ['n2', 'n2']],
  },
  {
    name: "'any' takes only live nodes",
    nodes: [node('n1', { alive: false }), node('n2'), node('n3', { alive: false })],
    instances: service('web', 'any'),
    expect: { 'web@1': { kind: 'placed', node: 'n2' } },
  },
  {
    name: 'spread: 3 replicas over 3 nodes, one each',
    nodes: three,
    instances: service('api', 'any', 3),
    spreadOf: ['api', ['n1', 'n2', 'n3']],
  },
  {
    name: 'spread counts other services: the emptier node takes the new one',
    nodes: three,
    instances: [...service('db', 'any', 2, ['n1', 'n2']), ...service('api', 'any')],
    expect: { 'api@1': { kind: 'placed', node: 'n3' } },
  },
  {
    name: 'pack: all replicas on one node',
    nodes: three,
    instances: service('batch', { strategy: 'pack' }, 3),
    check: (m) => assert.equal(new Set(nodesOf(m, 'batch')).size, 1),
  },
  {
    name: 'pack joins the node that already holds the service',
    nodes: three,
    instances: service('batch', { strategy: 'pack' }, 3, ['n2']),
    spreadOf: ['batch', ['n2', 'n2', 'n2']],
  },
  {
    name: "a draining node's movable instance moves; its pinned one stays",
    nodes: [node('n1', { draining: true }), node('n2')],
    instances: [...service('web', 'any', 1, ['n1']), ...service('db', undefined, 1, ['n1'], 'n1')],
    expect: {
      'web@1': { kind: 'placed', node: 'n2', moved: true, reason: /holder n1 is draining/ },
      'db@1': { kind: 'placed', node: 'n1', moved: false, reason: /drain does not move a pinned instance/ },
    },
  },
  {
    name: 'a draining node takes no pinned instance it does not hold',
    nodes: [node('n1', { draining: true }), node('n2')],
    instances: service('db', { node: 'n1' }),
    expect: { 'db@1': { kind: 'unplaceable', reason: /node n1 is draining/ } },
  },
  {
    name: 'holders are sticky when a node joins',
    nodes: [...three, node('n4')],
    instances: service('api', 'any', 3, ['n1', 'n2', 'n3']),
    expect: {
      'api@1': { kind: 'placed', node: 'n1', moved: false },
      'api@2': { kind: 'placed', node: 'n2', moved: false },
      'api@3': { kind: 'placed', node: 'n3', moved: false },
    },
  },
  {
    name: 'spread evens out: a holder with two more than the emptiest node gives its highest instances up',
    nodes: three,
    instances: service('api', 'any', 3, ['n1', 'n1', 'n1']),
    expect: {
      'api@1': { kind: 'placed', node: 'n1', moved: false },
      'api@2': { kind: 'placed', node: 'n2', moved: true, reason: /rebalanced from n1/ },
      'api@3': { kind: 'placed', node: 'n3', moved: true, reason: /rebalanced from n1/ },
    },
  },
  {
    name: 'a dead holder: the instance moves, away from its siblings',
    nodes: [node('n1', { alive: false }), node('n2'), node('n3')],
    instances: service('api', 'any', 2, ['n1', 'n2']),
    expect: {
      'api@1': { kind: 'placed', node: 'n3', moved: true, reason: /holder n1 is down/ },
      'api@2': { kind: 'placed', node: 'n2', moved: false },
    },
  },
  {
    name: 'a holder that left: the instance moves',
    nodes: [node('n2')],
    instances: service('api', 'any', 1, ['n1']),
    expect: { 'api@1': { kind: 'placed', node: 'n2', moved: true, reason: /holder n1 left the cluster/ } },
  },
  {
    name: 'an unknown pinned node is unplaceable, naming it',
    nodes: three,
    instances: service('db', { node: 'n9' }),
    expect: { 'db@1': { kind: 'unplaceable', reason: /^node n9 is not a member of the cluster$/ } },
  },
  {
    name: 'a list of unknown nodes is unplaceable, naming them',
    nodes: three,
    instances: service('db', { nodes: ['n9', 'n8'] }),
    expect: { 'db@1': { kind: 'unplaceable', reason: /^nodes n8, n9 are not members of the cluster$/ } },
  },
  {
    name: 'an unknown node beside a known one is tolerated',
    nodes: three,
    instances: service('db', { nodes: ['n9', 'n2'] }),
    expect: { 'db@1': { kind: 'placed', node: 'n2' } },
  },
  {
    name: 'a tag no live node has is unplaceable, naming the tag',
    nodes: [node('n1', { tags: ['gpu'], alive: false }), node('n2', { tags: ['ssd'] })],
    instances: service('ml', { tags: ['gpu'] }),
    expect: { 'ml@1': { kind: 'unplaceable', reason: /^no live node has tags gpu$/ } },
  },
  {
    name: 'a pinned node lacking a tag is unplaceable',
    nodes: three,
    instances: service('ml', { node: 'n1', tags: ['gpu'] }),
    expect: { 'ml@1': { kind: 'unplaceable', reason: /^node n1 lacks tags gpu$/ } },
  },
  {
    name: 'node and nodes that do not intersect are unplaceable',
    nodes: three,
    instances: service('db', { node: 'n1', nodes: ['n2', 'n3'] }),
    expect: { 'db@1': { kind: 'unplaceable', reason: /not in placement\.nodes/ } },
  },
  {
    name: 'every matching node draining is unplaceable',
    nodes: [node('n1', { draining: true }), node('n2', { draining: true })],
    instances: service('web', 'any'),
    expect: { 'web@1': { kind: 'unplaceable', reason: /^every live node is draining$/ } },
  },
  {
    name: 'a pinned node that is down: lost',
    nodes: [node('n1'), node('n2', { alive: false })],
    instances: [...service('db', { node: 'n2' }, 1, ['n2']), ...service('cache', { nodes: ['n2'] })],
    expect: {
      'db@1': { kind: 'lost', node: 'n2', reason: /node n2 is down/ },
      'cache@1': { kind: 'lost', node: 'n2' },
    },
  },
  {
    name: 'the registering node left: lost',
    nodes: [node('n1')],
    instances: service('db', undefined, 1, ['n2'], 'n2'),
    expect: { 'db@1': { kind: 'lost', node: 'n2', reason: /left the cluster/ } },
  },
];

for (const c of CASES) {
  test(`placement: ${c.name}`, () => {
    const m = placeInstances(c.instances, c.nodes);
    assert.deepEqual([...m.keys()].sort(), c.instances.map((i) => instanceName(i.service, i.instance)).sort());
    for (const [name, want] of Object.entries(c.expect ?? {})) {
      const got = m.get(name);
      assert.ok(got, name);
      assert.equal(got.kind, want.kind, `${name}: ${JSON.stringify(got)}`);
      if (want.node !== undefined) assert.equal((got as { node: string }).node, want.node, name);
      if (want.moved !== undefined) assert.equal((got as { moved: boolean }).moved, want.moved, name);
      if (want.reason !== undefined) assert.match(got.reason, want.reason, name);
    }
    if (c.spreadOf) assert.deepEqual(nodesOf(m, c.spreadOf[0]), c.spreadOf[1]);
    c.check?.(m);
  });
}

test('ties fall to hashing, not to the first or last node: lone instances of many services scatter', () => {
  const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'].map((id) => node(id));
  const chosen = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const d = placeInstances(service(`svc${i}`, 'any'), nodes).get(`svc${i}@1`);
    if (d?.kind === 'placed') chosen.add(d.node);
  }
  assert.equal(chosen.size, 5);
});

test('movable: only absent placement and a single node pin', () => {
  assert.equal(movable(undefined), false);
  assert.equal(movable({ node: 'n1' }), false);
  assert.equal(movable({ nodes: ['n1', 'n1'] }), false);
  assert.equal(movable({ node: 'n1', nodes: ['n1', 'n2'] }), false);
  assert.equal(movable('any'), true);
  assert.equal(movable({ nodes: ['n1', 'n2'] }), true);
  assert.equal(movable({ tags: ['gpu'] }), true);
  assert.equal(instanceName('api', 3), 'api@3');
});

// ---- properties over random clusters

const IDS = ['n1', 'n2', 'n3', 'n4', 'n5'];
const ANY_ID = fc.constantFrom(...IDS, 'n9');
const TAGS = ['gpu', 'ssd', 'arm'];

const nodesArb = fc.uniqueArray(
  fc.record({
    id: fc.constantFrom(...IDS),
    tags: fc.subarray(TAGS),
    alive: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    draining: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  }),
  { selector: (n) => n.id, maxLength: IDS.length },
);

const placementArb: fc.Arbitrary<Placement | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant('any' as const),
  fc.record(
    {
      node: ANY_ID,
      nodes: fc.uniqueArray(ANY_ID, { minLength: 1, maxLength: 4 }),
      tags: fc.subarray(TAGS, { maxLength: 2 }),
      strategy: fc.constantFrom('spread' as const, 'pack' as const),
    },
    { requiredKeys: [] },
  ),
);

const serviceArb = fc.record({
  placement: placementArb,
  registeredBy: ANY_ID,
  holders: fc.array(fc.option(ANY_ID, { nil: null }), { minLength: 1, maxLength: 5 }),
});

const worldArb = fc
  .record({ nodes: nodesArb, services: fc.dictionary(fc.constantFrom('api', 'db', 'web', 'job'), serviceArb) })
  .map(({ nodes, services }) => ({
    nodes,
    instances: Object.entries(services).flatMap(([name, s]) => service(name, s.placement, s.holders.length, s.holders, s.registeredBy)),
  }));

/** Whether the node may run the instance at all, liveness and drain aside. */
function satisfies(inst: InstanceToPlace, n: PlacementNode): boolean {
  const p = inst.placement;
  if (p === undefined) return n.id === inst.registeredBy;
  if (p === 'any') return true;
  if (p.node !== undefined && n.id !== p.node) return false;
  if (p.nodes !== undefined && !p.nodes.includes(n.id)) return false;
  return (p.tags ?? []).every((t) => n.tags.includes(t));
}

const eligible = (inst: InstanceToPlace, n: PlacementNode | undefined): n is PlacementNode =>
  n !== undefined && n.alive && !n.draining && satisfies(inst, n);

const byId = (nodes: readonly PlacementNode[]) => new Map(nodes.map((n) => [n.id, n]));
const nameOf = (i: InstanceToPlace): string => instanceName(i.service, i.instance);

test('property: the same inputs in any order give the same map', () => {
  const reversed = (p: Placement | undefined): Placement | undefined =>
    p === undefined || p === 'any' ? p : { ...p, ...(p.nodes && { nodes: [...p.nodes].reverse() }), ...(p.tags && { tags: [...p.tags].reverse() }) };
  fc.assert(
    fc.property(
      worldArb.chain((w) =>
        fc.tuple(
          fc.constant(w),
          fc.shuffledSubarray(w.instances, { minLength: w.instances.length }),
          fc.shuffledSubarray(w.nodes, { minLength: w.nodes.length }),
        ),
      ),
      ([w, instances, nodes]) => {
        const a = placeInstances(w.instances, w.nodes);
        const b = placeInstances(
          instances.map((i) => ({ ...i, placement: reversed(i.placement) })),
          nodes.map((n) => ({ ...n, tags: [...n.tags].reverse() })),
        );
        assert.deepEqual([...b], [...a]);
      },
    ),
    { numRuns: 300 },
  );
});

test('property: a placed instance is on a live node allowed to run it, undrained unless pinned and held there', () => {
  fc.assert(
    fc.property(worldArb, ({ nodes, instances }) => {
      const m = placeInstances(instances, nodes);
      const members = byId(nodes);
      for (const inst of instances) {
        const d = m.get(nameOf(inst));
        assert.ok(d);
        if (d.kind !== 'placed') continue;
        const n = members.get(d.node);
        assert.ok(n && n.alive && satisfies(inst, n), `${nameOf(inst)} on ${d.node}`);
        if (n.draining) assert.ok(!movable(inst.placement) && inst.holder === n.id, `${nameOf(inst)} taken by draining ${n.id}`);
        assert.equal(d.moved, inst.holder !== d.node);
      }
    }),
    { numRuns: 300 },
  );
});

test('property: an eligible holder is never moved, unless spread is two or more out of balance', () => {
  fc.assert(
    fc.property(worldArb, ({ nodes, instances }) => {
      const m = placeInstances(instances, nodes);
      const members = byId(nodes);
      for (const inst of instances) {
        if (inst.holder === null || !eligible(inst, members.get(inst.holder))) continue;
        if (spreadUneven(inst, instances, nodes)) continue;
        assert.deepEqual(m.get(nameOf(inst)), { kind: 'placed', node: inst.holder, moved: false, reason: m.get(nameOf(inst))?.reason });
      }
    }),
    { numRuns: 300 },
  );
});

// Counts of a spread service's instances on its eligible nodes, as the holders give them.
function spreadUneven(inst: InstanceToPlace, instances: readonly InstanceToPlace[], nodes: readonly PlacementNode[]): boolean {
  const p = inst.placement;
  if (p !== 'any' && p?.strategy === 'pack') return false;
  const open = nodes.filter((n) => eligible(inst, n));
  const counts = new Map<string, number>(open.map((n) => [n.id, 0]));
  for (const i of instances) if (i.service === inst.service && i.holder !== null && counts.has(i.holder)) counts.set(i.holder, (counts.get(i.holder) ?? 0) + 1);
  const values = [...counts.values()];
  return values.length > 0 && Math.max(...values) - Math.min(...values) >= 2;
}

test('property: spread without holders puts k instances on m eligible nodes within one of each other', () => {
  fc.assert(
    fc.property(worldArb, ({ nodes, instances }) => {
      const fresh = instances.map((i) => ({ ...i, holder: null }));
      const m = placeInstances(fresh, nodes);
      for (const svc of new Set(fresh.map((i) => i.service))) {
        const own = fresh.filter((i) => i.service === svc);
        const p = (own[0] as InstanceToPlace).placement;
        if (!movable(p) || (p !== 'any' && p?.strategy === 'pack')) continue;
        const open = nodes.filter((n) => eligible(own[0] as InstanceToPlace, n));
        if (open.length === 0) continue;
        const counts = new Map<string, number>(open.map((n) => [n.id, 0]));
        for (const i of own) {
          const d = m.get(nameOf(i));
          assert.equal(d?.kind, 'placed');
          const at = (d as { node: string }).node;
          counts.set(at, (counts.get(at) ?? 0) + 1);
        }
        const values = [...counts.values()];
        assert.ok(Math.max(...values) - Math.min(...values) <= 1, `${svc}: ${JSON.stringify([...counts])}`);
      }
    }),
    { numRuns: 300 },
  );
});

test('property: placing again from its own result changes nothing; a node dying moves only what it held', () => {
  fc.assert(
    fc.property(worldArb, fc.nat(), fc.boolean(), ({ nodes, instances }, pick, removed) => {
      const first = placeInstances(instances, nodes);
      const held = instances.map((i) => {
        const d = first.get(nameOf(i));
        return { ...i, holder: d?.kind === 'placed' ? d.node : null };
      });
      const again = placeInstances(held, nodes);
      for (const [name, d] of first) {
        if (d.kind === 'placed') assert.deepEqual(again.get(name), { ...d, moved: false, reason: again.get(name)?.reason });
        else assert.deepEqual(again.get(name), d);
      }
      if (nodes.length === 0) return;
      const victim = (nodes[pick % nodes.length] as PlacementNode).id;
      const after = removed ? nodes.filter((n) => n.id !== victim) : nodes.map((n) => (n.id === victim ? { ...n, alive: false } : n));
      const second = placeInstances(held, after);
      for (const [name, d] of first) {
        if (d.kind !== 'placed' || d.node === victim) continue;
        const now = second.get(name);
        assert.ok(now?.kind === 'placed' && now.node === d.node && !now.moved, `${name} moved off ${d.node}: ${JSON.stringify(now)}`);
      }
    }),
    { numRuns: 300 },
  );
});
