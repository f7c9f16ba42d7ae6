import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import {
  PortReclaimError,
  allocatePort,
  checkFixedPort,
  findPortOwner,
  isPortFree,
  reclaimPort,
  spawnService,
} from '../../src/process/index.ts';
import { LineWaiter, cleanupGroup, fixture, nodePlan } from './support.ts';

async function listenHere(t: TestContext, host = '127.0.0.1'): Promise<number> {
  const server = createServer((s) => s.destroy());
  server.listen(0, host);
  await once(server, 'listening');
  t.after(() => server.close());
  return (server.address() as AddressInfo).port;
}

/** Starts the listen fixture in its own group; `viaChild` makes a child of the leader hold the port. */
async function listener(t: TestContext, viaChild = false) {
  const lines = new LineWaiter();
  const proc = await spawnService(nodePlan([fixture('listen.mjs'), '0', ...(viaChild ? ['child'] : [])]), lines);
  cleanupGroup(t, proc);
  const { port, pid } = JSON.parse(await lines.waitFor((l) => l.startsWith('{'))) as { port: number; pid: number };
  return { proc, port, holder: pid };
}

test('allocatePort returns a bindable port, and isPortFree tracks a listener', async (t) => {
  const port = await allocatePort();
  assert.ok(port > 1024 && port < 65536);
  assert.equal(await isPortFree(port), true);
  const taken = await listenHere(t);
  assert.equal(await isPortFree(taken), false);
  assert.notEqual(await allocatePort(), taken);
});

test('findPortOwner finds the listening process through /proc, or null when nobody listens', async (t) => {
  const port = await listenHere(t);
  const owner = await findPortOwner(port);
  assert.equal(owner?.pid, process.pid);
  assert.ok(owner?.command?.includes(process.execPath) || owner?.command?.includes('node'));
  assert.equal(await findPortOwner(await allocatePort()), null);
});

test('findPortOwner sees IPv6 listeners too', async (t) => {
  let port: number;
  try {
    port = await listenHere(t, '::1');
  } catch (err) {
    // Without IPv6 on the host the behaviour cannot exist; say so instead of passing silently.
    assert.fail(`IPv6 loopback unavailable: ${String(err)}`);
  }
  assert.equal((await findPortOwner(port))?.pid, process.pid);
});

test('checkFixedPort: free, conflict with the owner named, stale when the owner is a known pid', async (t) => {
  assert.deepEqual(await checkFixedPort(await allocatePort(), { knownPids: [] }), { status: 'free' });

  const mine = await listenHere(t);
  const conflict = await checkFixedPort(mine, { knownPids: [] });
  assert.equal(conflict.status, 'conflict');
  assert.equal(conflict.status === 'conflict' && conflict.ownerPid, process.pid);
  assert.ok(conflict.status === 'conflict' && conflict.ownerCommand !== null);

  const { proc, port } = await listener(t);
  assert.deepEqual(await checkFixedPort(port, { knownPids: [proc.pid] }), { status: 'stale', pid: proc.pid, pgid: proc.pgid });
  assert.equal((await checkFixedPort(port, { knownPids: [proc.pid + 100_000] })).status, 'conflict');
});

test('a port held by a child of a recorded leader is stale and reclaimable', async (t) => {
  const { proc, port, holder } = await listener(t, true);
  assert.notEqual(holder, proc.pid);
  const status = await checkFixedPort(port, { knownPids: [proc.pid] });
  assert.deepEqual(status, { status: 'stale', pid: holder, pgid: proc.pgid });
  assert.deepEqual(await reclaimPort(holder, { port, timeoutMs: 2000 }), { killed: false });
  assert.equal(await isPortFree(port), true);
  assert.deepEqual(await checkFixedPort(port, { knownPids: [proc.pid] }), { status: 'free' });
  assert.equal(proc.isGroupAlive(), false, 'the whole group is gone, leader included');
  await proc.exited;
});

test('reclaimPort fails with PortReclaimError when someone else keeps the port', async (t) => {
  const { proc } = await listener(t);
  const other = await listenHere(t);
  await assert.rejects(reclaimPort(proc.pid, { port: other, timeoutMs: 100 }), (err) => {
    assert.ok(err instanceof PortReclaimError);
    assert.equal(err.port, other);
    assert.match(err.reason, new RegExp(`pid ${process.pid}`));
    return true;
  });
  assert.equal(proc.isGroupAlive(), false);
});
