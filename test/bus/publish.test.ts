import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectBus, createEventFactory, InvalidEventError, readEvents } from '../../src/bus/index.ts';
import type { NestorEvent } from '../../src/events/index.ts';
import { testConfig } from './helpers.ts';

test('publish then read round-trips an event; the same id twice is stored once', async (t) => {
  const config = await testConfig(t, {}, 'publish');
  const bus = await connectBus(config);
  t.after(() => bus.close());
  const event = createEventFactory({ node: config.node, component: 'test' })('orchestrator.service.exit', {
    service: 'api',
    pid: 1234,
    code: 0,
    signal: null,
    runtimeMs: 12.5,
    expected: true,
  });

  const first = await bus.publish(event);
  const again = await bus.publish(event);
  assert.deepEqual(first, { seq: 1, duplicate: false });
  assert.deepEqual(again, { seq: 1, duplicate: true });
  assert.equal((await bus.jsm.streams.info(bus.streamName)).state.messages, 1);

  const stored = await bus.jsm.streams.getMessage(bus.streamName, { seq: 1 });
  assert.equal(stored?.subject, `orchestrator.service.${config.node}.api.exit`);
  const read = [];
  for await (const r of readEvents(bus)) read.push(r);
  assert.deepEqual(read, [{ ok: true, event: { ...event, seq: 1 } }]);
});

test('an event that breaks the contract is refused before it reaches the stream', async (t) => {
  const config = await testConfig(t, {}, 'publish-invalid');
  const bus = await connectBus(config);
  t.after(() => bus.close());
  const make = createEventFactory({ node: config.node, component: 'test' });
  const bad = make('orchestrator.service.disabled', { service: 'has space', reason: 'x' });
  await assert.rejects(bus.publish(bad), (err: unknown) => {
    assert.ok(err instanceof InvalidEventError, String(err));
    assert.equal(err.type, 'orchestrator.service.disabled');
    assert.match(err.problems.join(), /service/);
    return true;
  });
  const badNode = createEventFactory({ node: 'a.b', component: 'test' })('orchestrator.node.down', { node: 'ab', reason: 'x' });
  await assert.rejects(bus.publish(badNode as NestorEvent), InvalidEventError);
  assert.equal((await bus.jsm.streams.info(bus.streamName)).state.messages, 0);
});

test('the event factory takes its clock and randomness from its options', () => {
  const make = createEventFactory({
    node: 'n1',
    component: 'test',
    now: () => new Date('2025-03-04T05:06:07.089Z'),
    random: (n) => new Uint8Array(n).fill(0xff),
  });
  const a = make('orchestrator.node.down', { node: 'n1', reason: 'x' });
  const b = make('orchestrator.node.down', { node: 'n1', reason: 'x' });
  assert.deepEqual(a, b);
  assert.equal(a.timestamp, '2025-03-04T05:06:07.089Z');
  assert.deepEqual(a.origin, { node: 'n1', component: 'test' });
  assert.match(a.id, /^[0-9A-Z]{10}Z{16}$/);
  assert.equal(a.version, 1);
});
