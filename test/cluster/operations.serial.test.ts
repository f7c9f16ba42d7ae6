// What an operator does to a running cluster, tried on real `nestor up` nodes: drain and undrain
// a node, scale a service by registering its spec again, place on a tag no node has yet (it
// waits, then starts when such a node joins), refuse a second node with a taken id, stop one
// node (its movable instances move first), and stop the whole cluster with `down --all`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/harness/index.ts';
import { connectFromEnv, registerSpec } from '../../src/sdk/index.ts';
import { FAST_MEMBERSHIP, eventually, idleService, instancesOf, startCluster, statusOf } from './cli-cluster.ts';
import type { InstanceRow, TestCluster } from './cli-cluster.ts';

interface Row {
  id: string;
  state: string;
  waitingFor?: string[];
  instances: { id: string; node: string; state: string }[];
}

async function rows(cluster: TestCluster, from = 'n1'): Promise<Map<string, Row>> {
  const res = await statusOf<{ services: Row[] }>(cluster.node(from));
  return new Map(res.services.map((r) => [r.id, r]));
}

const instances = (cluster: TestCluster, from = 'n1'): Promise<Map<string, InstanceRow>> => instancesOf(cluster.node(from));

const project = (run: string): string => `services:
  web:
${idleService(run, '    replicas: 2\n    placement: any')}
  worker:
${idleService(run, '    placement: { nodes: [n1, n2] }')}
  trainer:
${idleService(run, '    placement: { tags: [gpu] }')}
  ghost:
${idleService(run, '    placement: { node: n9 }')}
`;

test('drain, undrain, scaling, a tag that arrives later, a taken node id, down of one node and down --all', { timeout: 300_000 }, async (t) => {
  const cluster = await startCluster(t, { nodes: [{ id: 'n1' }, { id: 'n2' }, { id: 'n3' }], project });
  const ready = (m: Map<string, { node: string; state: string }>, ids: string[]): boolean => ids.every((id) => m.get(id)?.state === 'ready');
  await eventually('web and worker ready', async () => (ready(await instances(cluster), ['web@1', 'web@2', 'worker@1']) ? true : undefined), 90_000);

  // Bad placements wait with the reason, and the history says it too.
  const waiting = await eventually('trainer and ghost pending with reasons', async () => {
    const r = await rows(cluster);
    return r.get('trainer')?.state === 'pending' && (r.get('ghost')?.waitingFor ?? []).length > 0 ? r : undefined;
  });
  assert.match(waiting.get('trainer')?.waitingFor?.join() ?? '', /gpu/);
  assert.match(waiting.get('ghost')?.waitingFor?.join() ?? '', /n9/);

  // A node with the tag joins: trainer starts there.
  await cluster.addNode({ id: 'n4', tags: ['gpu'] });
  const trained = await eventually('trainer ready on n4', async () => {
    const m = await instances(cluster);
    return m.get('trainer@1')?.state === 'ready' ? m : undefined;
  }, 60_000);
  assert.equal(trained.get('trainer@1')?.node, 'n4');

  // A second node with a taken id refuses to start, naming the first. It uses the cluster's
  // bus as an external one (a server of its own joining would be a fourth JetStream member,
  // which is not what this checks).
  const dupDir = await mkdtemp(join(tmpdir(), 'nestor-cluster-dup-'));
  t.after(() => rm(dupDir, { recursive: true, force: true }));
  await writeFile(join(dupDir, 'nestor.yaml'), 'services: {}\n');
  const n1Bus = (await cluster.node('n1').cli(['info', '--json'])).json<{ nats: string }>().nats;
  const dup = await runCli(['up', '--node', 'n2', '--nats-mode', 'external', '--nats-url', n1Bus], {
    cwd: dupDir,
    // The stream's replica count as the cluster has it: a node resizes the stream to its own.
    env: { ...FAST_MEMBERSHIP, NESTOR_EVENTS_REPLICAS: '3' },
    timeoutMs: 90_000,
  });
  assert.equal(dup.code, 1, `${dup.stdout}${dup.stderr}`);
  assert.match(dup.stderr, /node id n2 is already in use by pid \d+ on host/);
  assert.equal(cluster.processes().get('web@1')?.length, 1, 'the refused node started nothing');

  // Drain n1: its movable instances leave; undrain lets it take work again.
  const before = await instances(cluster);
  const onN1 = [...before].filter(([id, i]) => i.node === 'n1' && !id.startsWith('ghost')).map(([id]) => id);
  const drained = await cluster.node('n2').cli(['drain', 'n1']);
  assert.equal(drained.code, 0, drained.stderr);
  const away = await eventually('n1 drained', async () => {
    const m = await instances(cluster);
    return onN1.every((id) => m.get(id)?.node !== 'n1' && m.get(id)?.state === 'ready') ? m : undefined;
  });
  for (const id of onN1) assert.notEqual(away.get(id)?.node, 'n1');
  assert.equal(cluster.processes().get('web@1')?.length, 1);
  const nodes = (await cluster.node('n1').cli(['nodes', '--json'])).json<{ nodes: { id: string; state: string }[] }>().nodes;
  assert.equal(nodes.find((n) => n.id === 'n1')?.state, 'draining');
  assert.equal((await cluster.node('n1').cli(['undrain', 'n1'])).code, 0);
  await eventually('n1 alive again', async () => {
    const n = (await cluster.node('n1').cli(['nodes', '--json'])).json<{ nodes: { id: string; state: string }[] }>().nodes;
    return n.find((x) => x.id === 'n1')?.state === 'alive' ? true : undefined;
  });

  // Scale web from 2 to 3 and back to 1 by registering its spec again.
  const info = (await cluster.node('n1').cli(['info', '--json'])).json<{ nats: string }>();
  const nc = await connectFromEnv({ env: { NESTOR_NATS_URL: info.nats } });
  t.after(() => nc.close());
  const webSpec = (replicas: number): Record<string, unknown> => ({
    id: 'web',
    placement: 'any',
    replicas,
    process: { command: 'node', args: ['-e', 'setInterval(() => {}, 1000)'], env: { CLUSTER_RUN: cluster.run }, stopTimeout: '2s' },
  });
  await registerSpec(nc, webSpec(3), { node: 'n1', specVersion: 2, env: {} });
  const three = await eventually('three web instances', async () => {
    const m = await instances(cluster);
    return ready(m, ['web@1', 'web@2', 'web@3']) ? m : undefined;
  });
  assert.equal(new Set(['web@1', 'web@2', 'web@3'].map((id) => three.get(id)?.node)).size, 3, 'spread over three nodes');
  await registerSpec(nc, webSpec(1), { node: 'n1', specVersion: 3, env: {} });
  await eventually('back to one web instance', async () => {
    const m = await instances(cluster);
    return m.has('web@1') && !m.has('web@2') && !m.has('web@3') && (cluster.processes().get('web@2') ?? []).length === 0 ? true : undefined;
  });
  assert.equal(cluster.processes().get('web@1')?.length, 1);

  // `down` on one node: what may move runs elsewhere before it stops.
  const now = await instances(cluster);
  const onN2 = [...now].filter(([id, i]) => i.node === 'n2' && !id.startsWith('ghost')).map(([id]) => id);
  const down = await cluster.node('n2').cli(['down'], 90_000);
  assert.equal(down.code, 0, down.stderr);
  const moved = await instances(cluster);
  for (const id of onN2) {
    assert.notEqual(moved.get(id)?.node, 'n2', `${id} moved before n2 stopped`);
    assert.equal(cluster.processes().get(id)?.length, 1, `${id} runs once`);
  }

  // `down --all` stops every node and every process of the stack.
  const all = await cluster.node('n1').cli(['down', '--all'], 120_000);
  assert.equal(all.code, 0, all.stderr);
  await eventually('no process of the stack left', () => (cluster.processes().size === 0 ? true : undefined), 60_000);
  for (const n of cluster.nodes.filter((x) => x.id !== 'n2')) {
    const res = await n.session.result;
    assert.equal(res.code, 0, `${n.id} exited cleanly: ${res.stderr}`);
  }
});
