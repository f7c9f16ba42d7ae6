// Three `nestor up` nodes on a three-server cluster (R3 event stream) run one project: pinned,
// tagged, any-node and replicated services each run exactly once where placement says, every
// node's CLI shows the same state, and killing one node (its `nestor up` and its nats-server,
// kill -9) moves its movable instances to the survivors while its pinned one shows as lost,
// with no instance ever running twice (/proc sampled every 50 ms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, idleService, instancesOf, startCluster } from './cli-cluster.ts';
import type { InstanceRow, TestCluster } from './cli-cluster.ts';

const project = (run: string): string => `services:
  local:
${idleService(run)}
  pinned:
${idleService(run, '    placement: { node: n2 }')}
  gpu:
${idleService(run, '    placement: { tags: [gpu] }')}
  anywhere:
${idleService(run, '    placement: any')}
  web:
${idleService(run, '    replicas: 3\n    placement: any')}
`;

const instancesFrom = (cluster: TestCluster, from = 'n1'): Promise<Map<string, InstanceRow>> => instancesOf(cluster.node(from));

// Samples /proc until stopped; every instance seen with two live processes is an overlap.
function sampleOverlaps(cluster: TestCluster): { stop(): Promise<{ samples: number; overlaps: string[] }> } {
  let running = true;
  const overlaps: string[] = [];
  let samples = 0;
  const loop = (async () => {
    while (running) {
      for (const [name, procs] of cluster.processes()) {
        if (procs.length > 1) overlaps.push(`${name}: ${procs.map((p) => `${p.pid}@${p.node}`).join(', ')}`);
      }
      samples++;
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { samples, overlaps };
    },
  };
}

test('three nodes: every instance runs once where placement says, every node sees the same state, and a killed node fails over', { timeout: 240_000 }, async (t) => {
  const cluster = await startCluster(t, { nodes: [{ id: 'n1' }, { id: 'n2' }, { id: 'n3', tags: ['gpu'] }], project });
  const expected = ['local@1', 'pinned@1', 'gpu@1', 'anywhere@1', 'web@1', 'web@2', 'web@3'];
  const placed = await eventually('every instance ready', async () => {
    const m = await instancesFrom(cluster);
    return expected.every((id) => m.get(id)?.state === 'ready') ? m : undefined;
  }, 90_000);

  // Where placement says, and exactly one process each (as /proc says, not only the events).
  assert.equal(placed.get('local@1')?.node, 'n1', 'no placement: the registering node');
  assert.equal(placed.get('pinned@1')?.node, 'n2');
  assert.equal(placed.get('gpu@1')?.node, 'n3', 'the only node tagged gpu');
  assert.deepEqual(new Set(['web@1', 'web@2', 'web@3'].map((w) => placed.get(w)?.node)), new Set(['n1', 'n2', 'n3']), 'spread: one replica per node');
  const procs = cluster.processes();
  for (const id of expected) {
    assert.equal(procs.get(id)?.length, 1, `${id} runs exactly once: ${JSON.stringify(procs.get(id))}`);
    assert.equal(procs.get(id)?.[0]?.node, placed.get(id)?.node, `${id} runs on the node the state names`);
  }
  // Every node's CLI shows the same state.
  for (const other of ['n2', 'n3']) {
    const seen = await eventually(`${other} agrees`, async () => {
      const m = await instancesFrom(cluster, other);
      return expected.every((id) => m.get(id)?.node === placed.get(id)?.node && m.get(id)?.state === 'ready') ? m : undefined;
    });
    assert.equal(seen.size, placed.size);
  }
  const nodes = (await cluster.node('n2').cli(['nodes', '--json'])).json<{ nodes: { id: string; state: string; tags: string[]; instances: string[] }[] }>().nodes;
  assert.deepEqual(nodes.map((n) => [n.id, n.state]).sort(), [['n1', 'alive'], ['n2', 'alive'], ['n3', 'alive']]);
  assert.deepEqual(nodes.find((n) => n.id === 'n3')?.tags, ['gpu']);

  // Kill n2 outright: its `nestor up` and its nats-server.
  const sampler = sampleOverlaps(cluster);
  t.after(() => sampler.stop());
  const victim = cluster.node('n2');
  const natsPid = await victim.natsPid();
  const killedAt = Date.now();
  process.kill(victim.upPid(), 'SIGKILL');
  process.kill(natsPid, 'SIGKILL');
  const movable = [...placed].filter(([id, p]) => p.node === 'n2' && id !== 'pinned@1').map(([id]) => id);
  const after = await eventually('movable instances of n2 ready on survivors, pinned lost', async () => {
    const m = await instancesFrom(cluster);
    const moved = movable.every((id) => m.get(id)?.state === 'ready' && m.get(id)?.node !== 'n2');
    return moved && m.get('pinned@1')?.state === 'lost' ? m : undefined;
  }, 60_000);
  const failoverMs = Date.now() - killedAt;
  await sleep(1_000);
  const report = await sampler.stop();
  assert.deepEqual(report.overlaps, [], 'no instance ever ran twice');
  assert.ok(report.samples > 20, `the sampler ran (${report.samples} samples)`);
  t.diagnostic(`failover of ${movable.join(', ')} in ${failoverMs} ms`);
  for (const id of movable) {
    const live = cluster.processes().get(id) ?? [];
    assert.equal(live.length, 1, `${id} runs once after the failover`);
    assert.equal(live[0]?.node, after.get(id)?.node);
  }
  assert.equal(cluster.processes().get('pinned@1'), undefined, 'the pinned instance runs nowhere');
  const down = (await cluster.node('n1').cli(['nodes', '--json'])).json<{ nodes: { id: string; state: string }[] }>().nodes;
  assert.equal(down.find((n) => n.id === 'n2')?.state, 'down');

  // The stream holds every node's events in one order: n3 reads the same history as n1.
  const [e1, e3] = await Promise.all(
    ['n1', 'n3'].map(async (id) => {
      const res = await cluster.node(id).cli(['events', '--json'], 60_000);
      assert.equal(res.code, 0, `events from ${id}: ${res.stderr}`);
      return res.jsonLines<{ seq: number; id: string; origin: { node: string } }>();
    }),
  );
  assert.deepEqual(e3?.map((e) => e.id).slice(0, e1?.length ?? 0), e1?.map((e) => e.id));
  assert.deepEqual(new Set(e1?.map((e) => e.origin.node)), new Set(['n1', 'n2', 'n3']));
  const declared = e1?.filter((e) => (e as unknown as { type: string }).type === 'orchestrator.node.down') ?? [];
  assert.equal(declared.length, 1, 'exactly one survivor declared n2 down');
});
