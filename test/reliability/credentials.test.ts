// Opt-in broker credentials: generated per project, kept owner-only in the data dir, used by
// the node and its services automatically; a client without them is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { connect } from '@nats-io/transport-node';
import { credentialsPath, readCredentials } from '../../src/bus/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import { join } from 'node:path';

for (const auth of ['token', 'password'] as const) {
  test(`nats.auth=${auth}: clients without the project's credentials are refused`, async () => {
    await using h = await createHarness({ name: `auth-${auth}`, flags: { nats: { auth } } });
    const file = credentialsPath(h.dataDir);
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'readable by its owner only');
    const creds = await readCredentials(h.dataDir);
    assert.ok(creds !== null && (auth === 'token' ? 'token' in creds : 'user' in creds));

    await assert.rejects(connect({ servers: h.bus.natsUrl, reconnect: false }), /Authorization|authorization/);
    const wrong = auth === 'token' ? { token: 'not-the-token' } : { user: 'nestor', pass: 'wrong' };
    await assert.rejects(connect({ servers: h.bus.natsUrl, reconnect: false, ...wrong }), /Authorization|authorization/);
    const nc = await connect({ servers: h.bus.natsUrl, ...creds });
    await nc.close();
  });
}

test('services started under nats.auth get the credentials and can connect through the SDK', async () => {
  const oneshot = {
    kind: 'oneshot',
    process: { command: process.execPath, args: ['--import', 'tsx', join(import.meta.dirname, '..', 'fixtures', 'sdk', 'connect-oneshot.ts')] },
  };
  await using h = await createHarness({ name: 'auth-service', flags: { nats: { auth: 'token' } }, specs: { client: oneshot } });
  const exit = await h.waitForEvent('orchestrator.service.exit', undefined, { timeoutMs: 20_000 });
  assert.equal(exit.data.code, 0, 'the SDK connected with the token it was given');
  await h.waitForState('client', 'completed');
});

test('CLI verbs of the project use its broker credentials automatically', async () => {
  await using h = await createHarness({ name: 'auth-cli', flags: { nats: { auth: 'password' } } });
  const result = await h.cli(['status', '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.json(), { seq: h.lastSeq(), services: [] });
});
