import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { launchNatsServer, launchOptionsFromConfig, NatsServerStartError } from '../../src/bus/index.ts';
import { isProcessAlive } from '../../src/process/index.ts';
import { testConfig } from './helpers.ts';
import type { After } from './helpers.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/orphan-server.ts', import.meta.url));

/** Starts a node process that launches a server on `dataDir`; returns it and the server's pid. */
async function parentWithServer(t: After, dataDir: string): Promise<{ parent: ChildProcess; serverPid: number }> {
  const parent = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => void parent.kill('SIGKILL'));
  const lines = createInterface({ input: parent.stdout as NodeJS.ReadableStream });
  const [line] = (await Promise.race([once(lines, 'line'), once(parent, 'exit').then(() => [null])])) as [string | null];
  assert.ok(line !== null, 'the fixture exited before printing the server pid');
  const serverPid = (JSON.parse(line) as { pid: number }).pid;
  t.after(() => {
    try {
      process.kill(serverPid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  });
  return { parent, serverPid };
}

test('a server orphaned by a SIGKILLed parent is stopped before a new launch on its data dir', async (t) => {
  const config = await testConfig(t, {}, 'stale');
  const { parent, serverPid } = await parentWithServer(t, config.dataDir);
  const exited = once(parent, 'exit');
  parent.kill('SIGKILL');
  await exited;
  assert.equal(await isProcessAlive(serverPid), true, 'nats-server outlives its killed parent');

  const server = await launchNatsServer(launchOptionsFromConfig(config));
  t.after(() => server.stop());
  assert.equal(server.reclaimedPid, serverPid);
  assert.equal(await isProcessAlive(serverPid), false, 'the stale server is gone');
  assert.notEqual(server.pid, serverPid);
  assert.equal((await fetch(`${server.monitorUrl}/healthz`)).status, 200);
});

test('a server whose parent is still running is not taken over', async (t) => {
  const config = await testConfig(t, {}, 'in-use');
  const { serverPid } = await parentWithServer(t, config.dataDir);
  await assert.rejects(launchNatsServer(launchOptionsFromConfig(config)), (err: unknown) => {
    assert.ok(err instanceof NatsServerStartError, String(err));
    assert.equal(err.reason, 'in-use');
    assert.match(err.message, new RegExp(`pid ${serverPid}`));
    return true;
  });
  assert.equal(await isProcessAlive(serverPid), true);
});
