import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectBus, createEventFactory } from '../../src/bus/index.ts';
import { testConfig } from './helpers.ts';

test('the event stream keeps at most events.maxMsgs, discarding the oldest', async (t) => {
  const config = await testConfig(t, { events: { maxMsgs: 5 } }, 'retention');
  const bus = await connectBus(config);
  t.after(() => bus.close());
  const make = createEventFactory({ node: config.node, component: 'test' });
  for (let i = 0; i < 12; i++) {
    await bus.publish(make('orchestrator.service.disabled', { service: `svc-${i}`, reason: 'retention test' }));
  }
  const { state, config: stream } = await bus.jsm.streams.info(bus.streamName);
  assert.equal(stream.max_msgs, 5);
  assert.equal(state.messages, 5);
  assert.equal(state.first_seq, 8);
  assert.equal(state.last_seq, 12);
});

test('changed limits are applied to an existing stream at the next boot', async (t) => {
  const config = await testConfig(t, { nats: { store: 'file' }, events: { maxMsgs: 100 } }, 'retention-update');
  const first = await connectBus(config);
  t.after(() => first.close());
  await first.close();
  const second = await connectBus({ ...config, events: { ...config.events, maxMsgs: 7, maxAgeMs: 60_000, duplicateWindowMs: 30_000 } });
  t.after(() => second.close());
  const { config: stream } = await second.jsm.streams.info(second.streamName);
  assert.equal(stream.max_msgs, 7);
  assert.equal(stream.max_age, 60_000 * 1_000_000);
  assert.equal(stream.duplicate_window, 30_000 * 1_000_000);
});
