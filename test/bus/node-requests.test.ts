// Requests to a node about itself: the request/serve pair over a real nats-server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectBus, isNoResponders, requestNode, serveNode } from '../../src/bus/index.ts';
import type { NodeAction } from '../../src/bus/index.ts';
import { testConfig } from './helpers.ts';

test("a node's requests reach its handler with action and body, and the answer comes back", async (t) => {
  const config = await testConfig(t, {}, 'node-requests');
  const bus = await connectBus(config);
  t.after(() => bus.close());
  const seen: [NodeAction, unknown][] = [];
  const served = serveNode(bus, 'n1', async (action, body) => {
    seen.push([action, body]);
    if (action === 'drain') throw new Error('n1 is already draining');
    return { ok: true, data: { nodes: [{ id: 'n1', state: 'alive' }] } };
  });
  t.after(() => served.stop());

  assert.deepEqual(await requestNode(bus, 'n1', 'nodes'), { ok: true, data: { nodes: [{ id: 'n1', state: 'alive' }] } });
  // A failing handler still answers, with its message.
  assert.deepEqual(await requestNode(bus, 'n1', 'drain', { requestedBy: { node: 'x', component: 'cli' } }), { ok: false, message: 'n1 is already draining' });
  assert.deepEqual(seen, [
    ['nodes', {}],
    ['drain', { requestedBy: { node: 'x', component: 'cli' } }],
  ]);

  // Another node's subject has nobody behind it: the requester learns so at once.
  await assert.rejects(requestNode(bus, 'n2', 'nodes', {}, 2_000), (err: unknown) => isNoResponders(err));

  await served.stop();
  await assert.rejects(requestNode(bus, 'n1', 'nodes', {}, 2_000), (err: unknown) => isNoResponders(err));
});
