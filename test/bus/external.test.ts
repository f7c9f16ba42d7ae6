import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusUnavailableError, connectBus, createEventFactory } from '../../src/bus/index.ts';
import { allocatePort } from '../../src/process/index.ts';
import { plainNatsServer, testConfig } from './helpers.ts';
import type { After } from './helpers.ts';

/** A nats-server someone else runs: started by hand, token auth, JetStream on or off. */
function externalServer(t: After, opts: { token: string; jetstream: boolean }): Promise<string> {
  return plainNatsServer((fn) => t.after(fn), opts);
}

test('external mode connects with a token and starts no server of its own', async (t) => {
  const url = await externalServer(t, { token: 'right', jetstream: true });
  const config = await testConfig(t, { nats: { urls: [url], token: 'right' } }, 'external');
  assert.equal(config.nats.mode, 'external');
  const bus = await connectBus(config);
  t.after(() => bus.close());
  assert.equal(bus.server, null);
  assert.equal(bus.monitorUrl, null);
  assert.equal(bus.natsUrl, url);
  const ack = await bus.publish(createEventFactory({ node: config.node, component: 'test' })('orchestrator.node.down', { node: config.node, reason: 'x' }));
  assert.equal(ack.seq, 1);
});

test('external mode with a wrong token fails with a credentials hint', async (t) => {
  const url = await externalServer(t, { token: 'right', jetstream: true });
  const config = await testConfig(t, { nats: { urls: [url], token: 'wrong' } }, 'external-auth');
  await assert.rejects(connectBus(config), (err: unknown) => {
    assert.ok(err instanceof BusUnavailableError, String(err));
    assert.equal(err.mode, 'external');
    assert.deepEqual(err.urls, [url]);
    assert.match(err.message, /NESTOR_NATS_TOKEN/);
    assert.ok(err.cause instanceof Error);
    return true;
  });
});

test('external mode against a server without JetStream says so', async (t) => {
  const url = await externalServer(t, { token: 'right', jetstream: false });
  const config = await testConfig(t, { nats: { urls: [url], token: 'right' } }, 'external-nojs');
  await assert.rejects(connectBus(config), (err: unknown) => {
    assert.ok(err instanceof BusUnavailableError, String(err));
    assert.match(err.message, /JetStream is not available/);
    assert.match(err.message, /-js/);
    return true;
  });
});

test('external mode with nothing listening fails after a short bounded retry', async (t) => {
  const url = `nats://127.0.0.1:${await allocatePort()}`;
  const config = await testConfig(t, { nats: { urls: [url] } }, 'external-down');
  await assert.rejects(connectBus(config, { connectTimeoutMs: 500 }), (err: unknown) => {
    assert.ok(err instanceof BusUnavailableError, String(err));
    assert.match(err.message, /cannot connect to NATS/);
    assert.match(err.message, /NESTOR_NATS_URLS/);
    assert.ok(err.cause !== undefined);
    return true;
  });
});
