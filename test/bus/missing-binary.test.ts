import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectBus, DEFAULT_NATS_SERVER, findNatsServer, NatsServerNotFoundError } from '../../src/bus/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { rm } from 'node:fs/promises';

const MISSING = '/nonexistent/bin/nats-server';

function documented(err: unknown): boolean {
  assert.ok(err instanceof NatsServerNotFoundError, `expected NatsServerNotFoundError, got ${String(err)}`);
  assert.match(err.message, /apt-get install -y nats-server/);
  assert.match(err.message, /as root/);
  assert.match(err.message, /NESTOR_NATS_SERVER/);
  return true;
}

test('an override pointing at a missing binary is reported, not silently replaced', async () => {
  await assert.rejects(findNatsServer(MISSING), (err: unknown) => {
    documented(err);
    assert.equal((err as NatsServerNotFoundError).override, MISSING);
    assert.match((err as Error).message, new RegExp(MISSING));
    return true;
  });
});

test('NESTOR_NATS_SERVER pointing at a missing binary fails connectBus with the documented error', async (t) => {
  const config = await loadConfig({ test: true, testName: 'missing-binary', env: { NESTOR_NATS_SERVER: MISSING }, projectFile: null });
  t.after(() => rm(config.dataDir, { recursive: true, force: true }));
  await assert.rejects(connectBus(config), documented);
});

test('without an override and with nothing on PATH, the Debian location is used', async () => {
  assert.equal(await findNatsServer(undefined, ''), DEFAULT_NATS_SERVER);
});
