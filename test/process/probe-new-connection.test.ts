// An HTTP probe proves the service accepts connections: each attempt connects anew, so a server
// that still answers on its open connections but takes no new ones fails.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { runProbe } from '../../src/process/index.ts';
import { probe } from './support.ts';

test('a server that stopped accepting connections fails the probe though its open connections still answer', async (t) => {
  const server = createServer((_req, res) => res.end('ok'));
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.closeAllConnections());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let connections = 0;
  server.on('connection', () => connections++);
  assert.equal((await runProbe(probe({ endpoint: url }))).ok, true);
  assert.equal((await runProbe(probe({ endpoint: url }))).ok, true);
  assert.equal(connections, 2, 'one connection per attempt');
  // close() stops the listener; connections kept alive would go on answering.
  server.close();
  const refused = await runProbe(probe({ endpoint: url }));
  assert.equal(refused.ok, false);
  assert.match(refused.detail, /ECONNREFUSED/);
});

test('a server that stops answering fails the probe by its timeout', async (t) => {
  let answering = true;
  const server = createServer((_req, res) => {
    if (answering) res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  assert.equal((await runProbe(probe({ endpoint: url }))).ok, true);
  answering = false;
  const hung = await runProbe(probe({ endpoint: url, timeoutMs: 200 }));
  assert.equal(hung.ok, false);
  assert.match(hung.detail, /timed out after 200ms/);
});
