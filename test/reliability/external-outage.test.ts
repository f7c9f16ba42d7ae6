// External mode: the broker is someone else's. When it goes away the node keeps supervising,
// holds its events in a bounded outbox, and delivers them once the broker is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { launchNatsServer } from '../../src/bus/index.ts';
import type { EmbeddedServer } from '../../src/bus/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import { alive, demo, fastRestarts } from '../supervision/support.ts';

test('an external broker outage is ridden out: services stay supervised and held events arrive afterwards', async (t) => {
  const root = join(process.cwd(), '.data-test');
  await mkdir(root, { recursive: true });
  const brokerDir = await mkdtemp(join(root, 'external-broker-'));
  let broker: EmbeddedServer = await launchNatsServer({ dataDir: brokerDir, serverName: 'external', store: 'file' });
  t.after(async () => {
    await broker.stop();
    await rm(brokerDir, { recursive: true, force: true });
  });
  const url = broker.natsUrl;
  await using h = await createHarness({
    name: 'external-outage',
    flags: { nats: { mode: 'external', urls: [url], store: 'file' } },
    specs: { alpha: demo('alpha', { spec: fastRestarts }) },
  });
  const ready = await h.waitForEvent('orchestrator.service.ready');
  const before = h.lastSeq();

  await broker.stop();
  process.kill(ready.data.pid, 'SIGKILL');
  // No broker: the node cannot tell anyone, but it restarts the service all the same.
  const deadline = Date.now() + 15_000;
  let replacement: number | null = null;
  while (replacement === null && Date.now() < deadline) {
    const pids = Object.values(h.node.controller.runningPids());
    replacement = pids.find((pid) => pid !== ready.data.pid && alive(pid)) ?? null;
    if (replacement === null) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(replacement !== null, 'alpha was restarted while the broker was down');

  broker = await launchNatsServer({ dataDir: brokerDir, serverName: 'external', store: 'file', port: Number(new URL(url).port) });
  const again = await h.waitForEvent('orchestrator.service.ready', (e) => e.seq > before, { timeoutMs: 30_000 });
  assert.equal(again.data.pid, replacement);
  const types = h.events().filter((e) => e.seq > before).map((e) => e.type);
  for (const type of ['orchestrator.service.exit', 'orchestrator.service.restart.scheduled', 'orchestrator.service.start', 'orchestrator.service.ready']) {
    assert.equal(types.filter((x) => x === type).length, 1, `${type} delivered exactly once after the outage: ${types.join(', ')}`);
  }
});
