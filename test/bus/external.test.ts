import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusUnavailableError, connectBus, createEventFactory, findNatsServer } from '../../src/bus/index.ts';
import { allocatePort } from '../../src/process/index.ts';
import { testConfig } from './helpers.ts';
import type { After } from './helpers.ts';

/** A nats-server someone else runs: started by hand, token auth, JetStream on or off. */
async function externalServer(t: After, opts: { token: string; jetstream: boolean }): Promise<string> {
  const port = await allocatePort();
  const store = await mkdtemp(join(tmpdir(), 'nestor-external-'));
  t.after(() => rm(store, { recursive: true, force: true }));
  const args = ['-a', '127.0.0.1', '-p', String(port), '--auth', opts.token, ...(opts.jetstream ? ['-js', '-sd', store] : [])];
  const server = spawn(await findNatsServer(process.env.NESTOR_NATS_SERVER), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
  });
  // The server says when it accepts connections; wait for that line rather than polling.
  let output = '';
  server.stderr.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    server.stderr.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Server is ready')) resolve();
    });
    server.once('exit', () => reject(new Error(`nats-server exited:\n${output}`)));
  });
  return `nats://127.0.0.1:${port}`;
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
