import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StorageType } from '@nats-io/jetstream';
import { brokerStats, connectBus, createEventFactory, readEvents, SNAPSHOT_BUCKET } from '../../src/bus/index.ts';
import { isProcessAlive } from '../../src/process/index.ts';
import { testConfig } from './helpers.ts';

test('embedded memory mode boots on random ports with the stream and bucket in place', async (t) => {
  const config = await testConfig(t, {}, 'boot-memory');
  const bus = await connectBus(config);
  t.after(() => bus.close());
  assert.ok(bus.server !== null);
  assert.match(bus.natsUrl, /^nats:\/\/127\.0\.0\.1:\d+$/);
  assert.doesNotMatch(bus.natsUrl, /:-1$/);
  assert.ok(bus.monitorUrl !== null);
  const health = await fetch(`${bus.monitorUrl}/healthz`);
  assert.equal(health.status, 200);

  const stream = await bus.jsm.streams.info(bus.streamName);
  assert.equal(bus.streamName, 'ORCHESTRATOR');
  assert.equal(stream.config.storage, StorageType.Memory);
  assert.deepEqual(stream.config.subjects, ['orchestrator.>']);
  assert.equal(stream.config.max_msgs, config.events.maxMsgs);
  const bucket = await bus.jsm.streams.info(`KV_${SNAPSHOT_BUCKET}`);
  assert.equal(bucket.config.storage, StorageType.Memory);
  await bus.snapshots.put('probe', 'x');
  assert.equal((await bus.snapshots.get('probe'))?.string(), 'x');

  const stats = await brokerStats(bus.monitorUrl);
  assert.equal(stats.serverName, config.node);
  assert.ok(stats.jetstream.streams >= 2, `streams: ${stats.jetstream.streams}`);
  assert.ok(stats.connections >= 1);

  const pid = bus.server.pid;
  await bus.close();
  await bus.server.exited;
  assert.equal(await isProcessAlive(pid), false);
});

test('embedded file mode keeps the stream across a restart on the same data dir', async (t) => {
  const config = await testConfig(t, { nats: { store: 'file' } }, 'boot-file');
  const event = createEventFactory({ node: config.node, component: 'test' })('orchestrator.node.down', { node: config.node, reason: 'restart test' });

  const first = await connectBus(config);
  t.after(() => first.close());
  assert.equal((await first.jsm.streams.info(first.streamName)).config.storage, StorageType.File);
  const ack = await first.publish(event);
  await first.close();

  const second = await connectBus(config);
  t.after(() => second.close());
  assert.notEqual(second.server?.pid, first.server?.pid);
  const info = await second.jsm.streams.info(second.streamName);
  assert.equal(info.state.messages, 1);
  const read = [];
  for await (const r of readEvents(second)) read.push(r);
  assert.deepEqual(read, [{ ok: true, event: { ...event, seq: ack.seq } }]);
  assert.equal((await second.publish(event)).duplicate, true, 'the duplicate window survives too');
});
