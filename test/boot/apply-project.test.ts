// The node's side of an apply, through a harness node: what it counts as running is what the
// project file registered; a service that registered itself through the SDK is not the file's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from '../../src/harness/index.ts';
import { connectFromEnv, registerSpec } from '../../src/sdk/index.ts';

const idle = { process: { command: 'node', args: ['-e', 'setInterval(() => {}, 1000)'] } };

test('apply leaves a self-registered (SDK) service alone, and an identical file changes nothing', async (t) => {
  const h = await createHarness({ name: 'apply-sdk', specs: { web: idle } });
  t.after(() => h.close());
  await h.waitForState('web', 'ready', { timeoutMs: 30_000 });
  const nc = await connectFromEnv({ env: { NESTOR_NATS_URL: h.bus.natsUrl } });
  t.after(() => nc.close());
  await registerSpec(nc, { id: 'sidecar', ...idle }, { node: h.config.node, env: {} });
  const sidecar = await h.waitForState('sidecar', 'ready', { timeoutMs: 30_000 });
  const web = h.service('web');

  const same = await h.node.apply({ raw: { services: { web: idle } }, source: 'nestor.yaml' });
  assert.ok(same.ok);
  assert.deepEqual([same.diff.added, same.diff.removed, same.diff.changed, same.diff.unchanged], [[], [], [], ['web']]);

  const edited = await h.node.apply({ raw: { services: { web: idle, worker: idle } }, source: 'nestor.yaml' });
  assert.ok(edited.ok);
  assert.deepEqual([edited.diff.added, edited.diff.removed], [['worker'], []]);
  await h.waitForState('worker', 'ready', { timeoutMs: 30_000 });
  assert.equal(h.service('sidecar').pid, sidecar.pid, 'the SDK service keeps its process');
  assert.equal(h.service('web').pid, web.pid, 'the unchanged service keeps its process');

  const invalid = await h.node.apply({ raw: { services: { web: { process: { command: '' } } } }, source: 'nestor.yaml' });
  assert.equal(invalid.ok, false);
  assert.deepEqual(invalid.ok ? [] : invalid.errors.map((e) => e.path), ['services.web.process.command']);
  const rejected = await h.waitForEvent('orchestrator.project.rejected');
  assert.equal(rejected.data.errors[0]?.path, 'services.web.process.command');
  assert.equal(h.service('web').pid, web.pid);
});
