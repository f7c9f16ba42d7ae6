import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LeaseEntry } from '../../src/bus/index.ts';
import { clusterBus, startNatsCluster } from '../cluster/nats-cluster.ts';

test('the lease bucket writes by compare-and-set, stamps entries with server time and watches every key', async (t) => {
  const cluster = await startNatsCluster(t);
  const a = await clusterBus(t, [cluster.urls[0]!], 'lease-a');
  const b = await clusterBus(t, [cluster.urls[1]!], 'lease-b');
  const [la, lb] = [await a.leases(), await b.leases()];
  assert.equal(await a.leases(), la, 'one bucket object per bus');

  const seen: LeaseEntry[] = [];
  const stop = await lb.watch((e) => seen.push(e));
  t.after(stop);

  const created = await la.create('node-1', { state: 'alive', n: 1 });
  assert.ok(created.ok);
  assert.deepEqual(await lb.create('node-1', { state: 'alive', n: 2 }), { ok: false, reason: 'exists' });
  const updated = await lb.update('node-1', { state: 'alive', n: 3 }, created.revision);
  assert.ok(updated.ok);
  assert.deepEqual(await la.update('node-1', { state: 'alive', n: 4 }, created.revision), { ok: false, reason: 'wrong-revision' });

  const got = await la.get('node-1');
  assert.ok(got !== null);
  assert.deepEqual(got.value, { state: 'alive', n: 3 });
  assert.equal(got.revision, updated.revision);
  assert.ok(got.serverTime instanceof Date && !Number.isNaN(got.serverTime.getTime()));

  // Keys with a dot (requests about a node) live in the same bucket.
  assert.ok((await la.create('drain.node-1', { by: 'test' })).ok);
  await la.delete('drain.node-1');
  assert.equal(await la.get('drain.node-1'), null);
  assert.ok((await la.create('drain.node-1', { by: 'again' })).ok, 'a deleted key can be created again');

  const deadline = Date.now() + 10_000;
  while (!seen.some((e) => e.key === 'drain.node-1' && !e.deleted && (e.value as { by: string }).by === 'again') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const node1 = seen.filter((e) => e.key === 'node-1').at(-1);
  assert.deepEqual(node1 && { value: node1.value, revision: node1.revision, deleted: node1.deleted }, { value: { state: 'alive', n: 3 }, revision: updated.revision, deleted: false });
  assert.ok(seen.some((e) => e.key === 'drain.node-1' && e.deleted && e.value === null), JSON.stringify(seen));
  assert.equal(node1?.serverTime.getTime(), got.serverTime.getTime(), 'a watch and a get read the same server stamp');
});
