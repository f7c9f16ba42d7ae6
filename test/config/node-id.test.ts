import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, makeNodeId, NODE_ID_FILE } from '../../src/config/index.ts';
import { ID_PATTERN } from '../../src/events/index.ts';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-node-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the node id is generated once per data dir and stays the same', async (t) => {
  const dir = await tempDir(t);
  const first = await loadConfig({ cwd: dir, env: {} });
  const second = await loadConfig({ cwd: dir, env: {} });
  assert.match(first.node, ID_PATTERN);
  assert.match(first.node, /-[0-9a-f]{4}$/);
  assert.equal(second.node, first.node);
  assert.equal((await readFile(join(first.dataDir, NODE_ID_FILE), 'utf8')).trim(), first.node);
});

test('concurrent first loads on one data dir agree on the node id', async (t) => {
  const dir = await tempDir(t);
  const loads = await Promise.all(Array.from({ length: 8 }, () => loadConfig({ cwd: dir, env: {} })));
  assert.equal(new Set(loads.map((c) => c.node)).size, 1);
});

test('NESTOR_NODE and the flag override the stored id without replacing it', async (t) => {
  const dir = await tempDir(t);
  const stored = (await loadConfig({ cwd: dir, env: {} })).node;
  assert.equal((await loadConfig({ cwd: dir, env: { NESTOR_NODE: 'edge-1' } })).node, 'edge-1');
  assert.equal((await loadConfig({ cwd: dir, env: { NESTOR_NODE: 'edge-1' }, flags: { node: 'edge-2' } })).node, 'edge-2');
  assert.equal((await loadConfig({ cwd: dir, env: {} })).node, stored);
});

test('an override that is not a valid subject token is refused', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(loadConfig({ cwd: dir, env: { NESTOR_NODE: 'my.node' } }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.source, 'NESTOR_NODE');
    assert.equal(err.path, 'node');
    return true;
  });
});

test('host names are reduced to letters, digits, "-" and "_"', () => {
  const bytes = new Uint8Array([0xab, 0x01]);
  assert.equal(makeNodeId('build.example.com', bytes), 'build-example-com-ab01');
  assert.equal(makeNodeId('...', bytes), 'node-ab01');
  assert.match(makeNodeId('x'.repeat(200), bytes), ID_PATTERN);
});
