// Ports: random allocation, a fixed port held by a stranger (conflict, then start.failed), and
// a fixed port held by a leftover of this project's earlier run (reclaimed, then started).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createHarness } from '../../src/harness/index.ts';
import { processStartTime } from '../../src/process/index.ts';
import { alive, demo } from './support.ts';

async function occupiedPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

function fixed(port: number, over: Parameters<typeof demo>[1] = {}) {
  return demo('alpha', { ...over, spec: { portStrategy: 'fixed', ports: { primary: { port, protocol: 'http' } }, maxRestarts: 0, ...over.spec } });
}

test('random ports appear in the start and ready events and in the status', async () => {
  await using h = await createHarness({ name: 'random-port', specs: { alpha: demo('alpha') } });
  const start = await h.waitForEvent('orchestrator.service.start');
  const ready = await h.waitForEvent('orchestrator.service.ready');
  const port = start.data.ports.primary as number;
  assert.ok(port > 0);
  assert.deepEqual(ready.data.ports, { primary: port });
  assert.deepEqual(h.status().services[0]?.ports, { primary: port });
  assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
});

test('a fixed port held by another process is a conflict naming the owner pid, then a failed start', async (t) => {
  const taken = await occupiedPort();
  t.after(() => taken.close());
  await using h = await createHarness({ name: 'port-conflict', specs: { alpha: fixed(taken.port) } });
  const conflict = await h.waitForEvent('orchestrator.service.port.conflict');
  assert.equal(conflict.data.port, taken.port);
  assert.equal(conflict.data.portName, 'primary');
  assert.equal(conflict.data.ownerPid, process.pid, 'the test process holds the port');
  const failed = await h.waitForEvent('orchestrator.service.start.failed');
  assert.equal(failed.data.reason, 'port-conflict');
  await h.waitForState('alpha', 'failed');
});

test('a fixed port held by a leftover of an earlier run is reclaimed and the service starts', async (t) => {
  // An earlier run's alpha survived its orchestrator; its pid is recorded in the data dir.
  const root = join(process.cwd(), '.data-test');
  await mkdir(root, { recursive: true });
  const dataDir = await mkdtemp(join(root, 'reclaim-'));
  const probe = await occupiedPort();
  const port = probe.port;
  await probe.close();
  const leftover = spawn(join(process.cwd(), '.dep', 'bin', 'alpha'), ['--port', String(port)], { detached: true, stdio: 'ignore' });
  t.after(() => {
    if (leftover.pid !== undefined && alive(leftover.pid)) process.kill(-leftover.pid, 'SIGKILL');
  });
  const pid = leftover.pid as number;
  await waitForListener(port);
  await writeFile(join(dataDir, 'pids.json'), JSON.stringify({ alpha: { pid, startTime: processStartTime(pid), ports: { primary: port } } }));

  await using h = await createHarness({ name: 'port-reclaim', flags: { dataDir }, specs: { alpha: fixed(port) } });
  const reclaimed = await h.waitForEvent('orchestrator.service.port.reclaimed');
  assert.deepEqual(reclaimed.data, { service: 'alpha', portName: 'primary', port, pid });
  const ready = await h.waitForEvent('orchestrator.service.ready');
  assert.notEqual(ready.data.pid, pid);
  assert.equal(alive(pid), false, 'the leftover is gone');
  assert.equal(h.events().some((e) => e.type === 'orchestrator.service.port.conflict'), false);
});

async function waitForListener(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing listens on ${port}`);
}
