import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectBus, createEventFactory, readEvents } from '../../src/bus/index.ts';
import type { Bus, ReadResult } from '../../src/bus/index.ts';
import { allocateRoutePort } from '../cluster/route-port.ts';
import { ensureSnapshotBucket } from '../../src/bus/streams.ts';
import { testConfig } from './helpers.ts';

test('two embedded servers with cluster settings form one cluster and share the event stream', async (t) => {
  // Routes need ports known up front, so both cluster ports are picked first.
  const [portA, portB] = [await allocateRoutePort(), await allocateRoutePort()];
  const cluster = (own: number, other: number) => ({ name: 'nestor-test', port: own, routes: [`nats://127.0.0.1:${other}`] });
  const configA = await testConfig(t, { node: 'node-a', nats: { cluster: cluster(portA, portB) } }, 'cluster-a');
  const configB = await testConfig(t, { node: 'node-b', nats: { cluster: cluster(portB, portA) } }, 'cluster-b');

  // Started together: JetStream in a cluster is healthy only once a majority is up.
  const started = await Promise.allSettled([connectBus(configA), connectBus(configB)]);
  for (const s of started) if (s.status === 'fulfilled') t.after(() => s.value.close());
  const [a, b] = started.map((s) => {
    if (s.status === 'rejected') throw s.reason;
    return s.value;
  }) as [Bus, Bus];

  // Each server has a route whose remote end is the other server.
  const json = async (bus: Bus, path: string): Promise<Record<string, unknown>> => (await (await fetch(`${bus.monitorUrl}${path}`)).json()) as Record<string, unknown>;
  for (const [bus, peer] of [[a, b], [b, a]] as const) {
    const routes = (await json(bus, '/routez')).routes as { remote_id: string }[];
    const peerId = (await json(peer, '/varz')).server_id as string;
    assert.ok(routes.some((r) => r.remote_id === peerId), `no route to ${peerId}: ${JSON.stringify(routes)}`);
  }

  const event = createEventFactory({ node: 'node-a', component: 'test' })('orchestrator.node.down', { node: 'node-a', reason: 'cluster test' });
  const ack = await a.publish(event);
  const onB: ReadResult[] = [];
  for await (const r of readEvents(b)) onB.push(r);
  assert.deepEqual(onB, [{ ok: true, event: { ...event, seq: ack.seq } }]);

  // One route means two servers: both the stream and the bucket keep a copy on each.
  assert.equal(configA.events.replicas, 2);
  assert.equal((await a.jsm.streams.info(configA.events.stream)).config.num_replicas, 2);
  assert.equal((await a.snapshots.status()).replicas, 2);
  // A bucket opened with another replica count is scaled to it, as the stream is.
  await ensureSnapshotBucket(a.js, configA.nats.store, 1);
  assert.equal((await a.snapshots.status()).replicas, 1);
  await ensureSnapshotBucket(b.js, configB.nats.store, 2);
  assert.equal((await a.snapshots.status()).replicas, 2);
});
