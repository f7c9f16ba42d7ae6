import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { launchNatsServer, launchOptionsFromConfig, PortInUseError } from '../../src/bus/index.ts';
import { testConfig } from './helpers.ts';
import type { After } from './helpers.ts';

async function occupyPort(t: After): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const addr = server.address();
  assert.ok(addr !== null && typeof addr === 'object');
  return addr.port;
}

for (const listener of ['client', 'monitor'] as const) {
  test(`a taken ${listener} port gives PortInUseError naming the port`, async (t) => {
    const port = await occupyPort(t);
    const config = await testConfig(t, { nats: listener === 'client' ? { port } : { monitorPort: port } }, `port-${listener}`);
    await assert.rejects(launchNatsServer(launchOptionsFromConfig(config)), (err: unknown) => {
      assert.ok(err instanceof PortInUseError, `expected PortInUseError, got ${String(err)}`);
      assert.equal(err.port, port);
      assert.equal(err.listener, listener);
      assert.match(err.message, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
      return true;
    });
  });
}
