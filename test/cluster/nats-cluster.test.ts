import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { metaLeader, startNatsCluster } from './nats-cluster.ts';

test('the cluster helper restarts a killed server, which rejoins the JetStream cluster', async (t) => {
  const cluster = await startNatsCluster(t);
  const [n1, , n3] = cluster.servers;
  assert.deepEqual(cluster.servers.map((s) => s.name), ['n1', 'n2', 'n3']);
  await n3!.kill();
  await assert.rejects(fetch(`${n3!.monitorUrl}/varz`));
  await n3!.restart();
  const deadline = Date.now() + 30_000;
  while ((await metaLeader(n3!.monitorUrl)) !== (await metaLeader(n1!.monitorUrl)) && Date.now() < deadline) await sleep(100);
  assert.equal(await metaLeader(n3!.monitorUrl), await metaLeader(n1!.monitorUrl));
  assert.notEqual(await metaLeader(n3!.monitorUrl), null);
});
