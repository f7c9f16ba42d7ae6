// Readiness and liveness probes of each kind against real services, gated by files the test
// controls (never by sleeps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness } from '../../src/harness/index.ts';
import { demo, fastRestarts } from './support.ts';

async function gateDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-gate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('an http readiness probe holds the service in running until it passes', async (t) => {
  const gate = join(await gateDir(t), 'ready');
  await using h = await createHarness({ name: 'http-probe', specs: { alpha: demo('alpha', { args: ['--ready-file', gate] }) } });
  await h.waitForState('alpha', 'running');
  await h.waitForEvent('orchestrator.service.health', (e) => e.data.probe === 'readiness' && e.data.status === 'failing');
  assert.equal(h.service('alpha').state, 'running');
  await writeFile(gate, '');
  const ready = await h.waitForEvent('orchestrator.service.ready');
  assert.equal(ready.data.probe, 'http');
  assert.equal(h.service('alpha').health.readiness, 'passing');
});

test('tcp and exec readiness probes', async (t) => {
  const gate = join(await gateDir(t), 'exec-ready');
  await using h = await createHarness({
    name: 'tcp-exec-probe',
    specs: {
      bytcp: demo('alpha', { spec: { health: { type: 'tcp', endpoint: '127.0.0.1:{ports.primary}', interval: '100ms' } } }),
      byexec: demo('alpha', { spec: { health: { type: 'exec', command: ['test', '-f', gate], interval: '100ms' } } }),
    },
  });
  const tcp = await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'bytcp');
  assert.equal(tcp.data.probe, 'tcp');
  await h.waitForEvent('orchestrator.service.health', (e) => e.data.service === 'byexec' && e.data.status === 'failing');
  assert.equal(h.service('byexec').state, 'running');
  await writeFile(gate, '');
  const exec = await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'byexec');
  assert.equal(exec.data.probe, 'exec');
});

test('a failing liveness probe restarts the service through its restart policy', async (t) => {
  const gate = join(await gateDir(t), 'alive');
  await writeFile(gate, '');
  const liveness = { type: 'http', endpoint: 'http://127.0.0.1:{ports.primary}/health', interval: '100ms', timeout: '500ms', failureThreshold: 2 };
  await using h = await createHarness({
    name: 'liveness',
    specs: { alpha: demo('alpha', { args: ['--ready-file', gate], spec: { ...fastRestarts, liveness } }) },
  });
  const ready = await h.waitForEvent('orchestrator.service.ready');
  await rm(gate);
  const failing = await h.waitForEvent('orchestrator.service.health', (e) => e.data.probe === 'liveness' && e.data.status === 'failing');
  assert.equal(failing.data.consecutiveFailures, 2);
  const stop = await h.waitForEvent('orchestrator.service.stop', (e) => e.data.reason === 'liveness');
  assert.equal(stop.data.pid, ready.data.pid);
  const scheduled = await h.waitForEvent('orchestrator.service.restart.scheduled');
  assert.equal(scheduled.data.reason, 'liveness probe failed');
  await writeFile(gate, '');
  const again = await h.waitForEvent('orchestrator.service.ready', (e) => e.seq > scheduled.seq);
  assert.notEqual(again.data.pid, ready.data.pid);
});
