import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readRuntimeInfo, removeRuntimeInfo, runtimeInfoPath, writeRuntimeInfo } from '../../src/config/index.ts';
import type { RuntimeInfo } from '../../src/config/index.ts';

test('runtime info round-trips through the data dir, and only its owner removes it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-runtime-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(await readRuntimeInfo(dir), null);
  const info: RuntimeInfo = { node: 'n1', pid: 4242, nats: 'nats://127.0.0.1:4222', api: 'http://127.0.0.1:8080', dataDir: dir, startedAt: '2025-01-01T00:00:00.000Z' };
  await writeRuntimeInfo(dir, info);
  assert.deepEqual(await readRuntimeInfo(dir), info);
  await removeRuntimeInfo(dir, 1);
  assert.deepEqual(await readRuntimeInfo(dir), info, 'another pid does not remove it');
  await removeRuntimeInfo(dir, 4242);
  assert.equal(await readRuntimeInfo(dir), null);
});

test('a corrupt runtime info file is a ConfigError naming the file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-runtime-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(runtimeInfoPath(dir), '{"node": "n1"');
  await assert.rejects(readRuntimeInfo(dir), (err: unknown) => err instanceof ConfigError && err.source === runtimeInfoPath(dir));
  await writeFile(runtimeInfoPath(dir), '{"node": "n1", "pid": "x"}');
  await assert.rejects(readRuntimeInfo(dir), (err: unknown) => err instanceof ConfigError && err.path === 'pid');
});
