// A payload bigger than the server's max_payload (1 MB by default) is refused before it leaves
// the process, with an error that says so, on every path: raw publish, bus.publish, the SDK and
// a command request. The connection stays up and the node keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PublishError } from '../../src/bus/index.ts';
import { commandRequestSubject } from '../../src/events/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import { registerSpec, SdkError } from '../../src/sdk/index.ts';
import { idleService } from './support.ts';

const MAX_PAYLOAD = /max_payload/;

test('a payload over max_payload is refused with a clear error on every path, and nothing crashes', async (t) => {
  await using h = await createHarness({ name: 'huge-payload', specs: { keeper: idleService() } });
  t.after(() => h.close());
  const keeper = await h.waitForState('keeper', 'ready');
  const limit = h.bus.nc.info?.max_payload ?? 1024 * 1024;
  const huge = 'x'.repeat(limit + 1);

  assert.throws(() => h.bus.nc.publish('orchestrator.junk', huge), MAX_PAYLOAD, 'raw publish');

  const spec = { process: { command: 'node' }, description: huge };
  const err = await h.publish('orchestrator.service.register', { service: 'big', spec, specVersion: 1, specHash: 'h', source: 'test' }).then(
    () => assert.fail('bus.publish accepted an oversized event'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PublishError, `a PublishError: ${String(err)}`);
  assert.match(err.message, MAX_PAYLOAD);
  assert.equal(err.attempts, 1, 'not retried: it can never succeed');
  assert.match(err.subject, /\.big\.register$/);

  await assert.rejects(registerSpec(h.bus.nc, { id: 'big', ...spec }, { node: h.config.node }), (e: unknown) => {
    assert.ok(e instanceof SdkError && e.reason === 'publish-failed', String(e));
    assert.match(e.message, MAX_PAYLOAD);
    return true;
  });

  await assert.rejects(h.bus.nc.request(commandRequestSubject(h.config.node, 'restart'), huge, { timeout: 2_000 }), MAX_PAYLOAD);

  // Nothing was stored, the connection is up, the controller still answers and supervises.
  assert.equal(h.bus.nc.isClosed(), false);
  assert.equal(h.events().some((e) => (e.data as { service?: string }).service === 'big'), false);
  assert.equal(h.node.controller.runningPids().keeper, keeper.pid);
  const seq = h.lastSeq();
  assert.deepEqual(await h.command('restart', 'keeper'), { ok: true, message: 'keeper restarting' });
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'keeper', { since: seq });
});
