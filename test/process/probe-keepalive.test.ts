import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { runProbe } from '../../src/process/index.ts';
import { probe } from './support.ts';

async function listen(t: TestContext, server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

test('a server that stops answering on a kept connection fails the probe by its timeout', async (t) => {
  let answering = true;
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    if (answering) res.end('ok');
  });
  server.on('connection', (s: Socket) => sockets.add(s));
  const url = await listen(t, server);
  assert.equal((await runProbe(probe({ endpoint: url }))).ok, true);
  answering = false;
  const hung = await runProbe(probe({ endpoint: url, timeoutMs: 200 }));
  assert.equal(hung.ok, false);
  assert.match(hung.detail, /timed out after 200ms/);
  answering = true;
  assert.equal((await runProbe(probe({ endpoint: url }))).ok, true, 'passes again once the server answers');
});

test('a server closing each connection after answering, or its idle ones at once, still passes every attempt', async (t) => {
  let requests = 0;
  const closing = createServer((_req, res) => {
    requests++;
    res.end('ok', () => res.socket?.destroy());
  });
  const url = await listen(t, closing);
  const eager = createServer((_req, res) => res.end('ok'));
  eager.keepAliveTimeout = 1;
  const eagerUrl = await listen(t, eager);
  for (let i = 0; i < 20; i++) {
    const [a, b] = await Promise.all([runProbe(probe({ endpoint: url })), runProbe(probe({ endpoint: eagerUrl }))]);
    assert.deepEqual([a.ok, a.detail, b.ok, b.detail], [true, 'HTTP 200', true, 'HTTP 200'], `attempt ${i + 1}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(requests, 20);
});
