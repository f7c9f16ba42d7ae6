// Regressions for the holes the hostile-input and chaos runs found in the shells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandRequestSubject } from '../../src/events/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import { idleService, tempDir } from './support.ts';

test('a command with a malformed requestedBy is refused, not carried out unrecorded', async () => {
  await using h = await createHarness({ name: 'bad-requester', specs: { idle: idleService() } });
  await h.waitForState('idle', 'ready');
  const reply = await h.bus.nc.request(commandRequestSubject(h.config.node, 'stop'), JSON.stringify({ service: 'idle', requestedBy: 5 }));
  const body = JSON.parse(new TextDecoder().decode(reply.data)) as { ok: boolean; code: string; message: string };
  assert.deepEqual([body.ok, body.code], [false, 'bad-request']);
  assert.match(body.message, /requestedBy/);
  assert.equal(h.service('idle').state, 'ready');
});

test('a rejection with thousands of problems is stored, capped at 100 listed issues', async () => {
  await using h = await createHarness({ name: 'huge-rejection' });
  const spec: Record<string, unknown> = { process: { command: 'true' } };
  for (let i = 0; i < 2000; i++) spec[`unknownField${i}`] = i;
  await h.publish('orchestrator.service.register', { service: 'noisy', spec, specVersion: 1, specHash: 'x', source: 'test' });
  const rejected = await h.waitForEvent('orchestrator.service.register.rejected');
  assert.equal(rejected.data.errors.length, 101);
  assert.deepEqual(rejected.data.errors.at(-1), { path: '(more)', expected: 'fewer problems', got: '1900 more not listed' });
});

test('a symlink planted at a service log path does not carry its output out of the data dir', async (t) => {
  const outside = tempDir(t, 'outside');
  const target = join(outside, 'stolen.log');
  writeFileSync(target, '');
  await using h = await createHarness({ name: 'log-symlink' });
  mkdirSync(join(h.dataDir, 'logs'), { recursive: true });
  symlinkSync(target, join(h.dataDir, 'logs', 'chatty.log'));
  await h.register({ services: { chatty: idleService({ process: { args: ['-e', 'console.log("secret"); setInterval(() => {}, 60000)'] } }) } });
  const failed = await h.waitForEvent('orchestrator.service.start.failed');
  assert.match(failed.data.error, /ELOOP|symbolic link|too many/i);
  assert.equal(readFileSync(target, 'utf8'), '');
  assert.ok(existsSync(join(h.dataDir, 'logs', 'chatty.log')));
});
