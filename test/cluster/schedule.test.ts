// The scheduling rules as a pure function: what one node does about the placed instances given
// the membership, the claims and what its controller runs. The rule that matters most: a node
// starts an instance only after its claim is taken, and a claim changes hands only from a node
// that is down or left, or that gave it back after its process stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { coordinator, keyOf, schedule } from '../../src/cluster/core/index.ts';
import type { Claim, Member, PlacedService, ScheduleAction, ScheduleInput } from '../../src/cluster/core/index.ts';

const alive = (id: string, tags: string[] = []): Member => ({ id, state: 'alive', tags, draining: false });
const web = (replicas = 1, placement: PlacedService['placement'] = 'any'): PlacedService => ({ service: 'web', replicas, placement, registeredBy: 'n1' });

function run(over: Partial<ScheduleInput>): ScheduleAction[] {
  return schedule({
    me: 'n1',
    services: [web()],
    members: [alive('n1'), alive('n2')],
    claims: {},
    running: new Set(),
    releasing: new Set(),
    fenced: false,
    ...over,
  });
}

const kinds = (actions: ScheduleAction[]): string[] => actions.map((a) => `${a.kind} ${a.name}`);

test('a free instance placed here is claimed first (create), never run before the claim', () => {
  const placedHere = run({ services: [web(1, { node: 'n1', strategy: 'spread' })] });
  assert.deepEqual(kinds(placedHere), ['claim web@1']);
  assert.equal((placedHere[0] as { revision: number | null }).revision, null);
});

test('a claim of ours that the controller does not run yet is run', () => {
  const actions = run({ services: [web(1, { node: 'n1', strategy: 'spread' })], claims: { 'web@1': { node: 'n1', revision: 4 } } });
  assert.deepEqual(kinds(actions), ['run web@1']);
});

test('a claim held by a live node is never taken, even when placement would choose us', () => {
  const claims: Record<string, Claim> = { 'web@1': { node: 'n2', revision: 7 } };
  for (const state of ['alive', 'suspect'] as const) {
    const actions = run({ services: [web(1, { nodes: ['n1'], strategy: 'spread' })], members: [alive('n1'), { ...alive('n2'), state }], claims });
    assert.deepEqual(kinds(actions), [], `holder ${state}`);
  }
});

test('a claim of a node that is down or left is taken over by compare-and-set on its revision', () => {
  for (const state of ['down', 'left'] as const) {
    const actions = run({ members: [alive('n1'), { ...alive('n2'), state }], claims: { 'web@1': { node: 'n2', revision: 7 } } });
    assert.deepEqual(actions, [{ kind: 'claim', name: 'web@1', service: 'web', instance: 1, revision: 7, previous: 'n2', reason: actions[0]?.kind === 'claim' ? actions[0].reason : '' }]);
  }
});

test('an instance that should run elsewhere is released, and its claim is kept until the process is gone', () => {
  const actions = run({ services: [web(1, { node: 'n2', strategy: 'spread' })], claims: { 'web@1': { node: 'n1', revision: 3 } }, running: new Set(['web@1']) });
  assert.deepEqual(kinds(actions), ['release web@1']);
  const whileStopping = run({ services: [web(1, { node: 'n2', strategy: 'spread' })], claims: { 'web@1': { node: 'n1', revision: 3 } }, running: new Set(['web@1']), releasing: new Set(['web@1']) });
  assert.deepEqual(kinds(whileStopping), [], 'nothing more while it stops');
});

test('fenced: every placed instance here is released and nothing is claimed', () => {
  const actions = run({ fenced: true, members: [alive('n1')], claims: { 'web@1': { node: 'n1', revision: 2 } }, running: new Set(['web@1']) });
  assert.deepEqual(kinds(actions), ['release web@1']);
  assert.match((actions[0] as { reason: string }).reason, /fenced/);
  assert.deepEqual(kinds(run({ fenced: true, members: [alive('n1')] })), []);
});

test('scaling down retires the instances past the new count once they stop; a claim we no longer use is given back', () => {
  const actions = run({ services: [web(1, { node: 'n1', strategy: 'spread' })], claims: { 'web@1': { node: 'n1', revision: 1 }, 'web@2': { node: 'n1', revision: 2 } }, running: new Set(['web@1', 'web@2']) });
  assert.deepEqual(kinds(actions), ['release web@2']);
  assert.equal((actions[0] as { retire: boolean }).retire, true);
  const stale = run({ services: [], claims: { 'web@1': { node: 'n1', revision: 5 } } });
  assert.deepEqual(stale, [{ kind: 'unclaim', name: 'web@1', revision: 5 }]);
});

test('what cannot be placed is reported by the coordinator only (the live node with the smallest id)', () => {
  const gpu = { ...web(1, { tags: ['gpu'], strategy: 'spread' }) };
  const atN1 = run({ services: [gpu] });
  assert.deepEqual(kinds(atN1), ['report web@1']);
  assert.deepEqual(kinds(run({ services: [gpu], me: 'n2' })), []);
  assert.equal(coordinator([{ ...alive('a'), state: 'down' }, alive('c'), alive('b')]), 'b');
});

test('keyOf maps instance names to the controller keys', () => {
  assert.equal(keyOf('web@1'), 'web');
  assert.equal(keyOf('web@12'), 'web@12');
});

// Whatever each node believes, a claim only moves from a node that is down or left: run every
// node's schedule on the same claims and check that no two nodes both run (or claim) one
// instance whose holder is alive.
test('property: no node claims an instance whose holder is live, and only the holder runs it', () => {
  const ids = ['n1', 'n2', 'n3'];
  const member = fc.record({ state: fc.constantFrom('alive', 'suspect', 'down', 'left') as fc.Arbitrary<Member['state']>, draining: fc.boolean(), gpu: fc.boolean() });
  fc.assert(
    fc.property(
      fc.tuple(member, member, member),
      fc.integer({ min: 1, max: 4 }),
      fc.constantFrom<PlacedService['placement']>('any', { tags: ['gpu'], strategy: 'spread' }, { nodes: ['n1', 'n2'], strategy: 'pack' }),
      fc.array(fc.option(fc.constantFrom(...ids), { nil: undefined }), { minLength: 4, maxLength: 4 }),
      (ms, replicas, placement, holders) => {
        const members: Member[] = ms.map((m, i) => ({ id: ids[i] as string, state: m.state, draining: m.draining, tags: m.gpu ? ['gpu'] : [] }));
        const claims: Record<string, Claim> = {};
        holders.forEach((h, i) => {
          if (h !== undefined) claims[`web@${i + 1}`] = { node: h, revision: i + 1 };
        });
        for (const me of ids) {
          const running = new Set(Object.entries(claims).filter(([, c]) => c.node === me).map(([n]) => n));
          const actions = schedule({ me, services: [{ service: 'web', replicas, placement, registeredBy: 'n1' }], members, claims, running, releasing: new Set(), fenced: false });
          for (const a of actions) {
            if (a.kind === 'run') assert.equal(claims[a.name]?.node, me, `${me} runs ${a.name} only with its claim`);
            if (a.kind === 'claim' && claims[a.name] !== undefined) {
              const holder = members.find((m) => m.id === claims[a.name]?.node);
              assert.ok(holder === undefined || holder.state === 'down' || holder.state === 'left', `${me} takes ${a.name} only from a departed holder`);
              assert.equal(a.revision, claims[a.name]?.revision);
            }
          }
        }
      },
    ),
    { numRuns: 500 },
  );
});
