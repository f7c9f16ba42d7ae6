import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, TEST_DATA_ROOT } from '../../src/config/index.ts';

async function project(t: { after: (fn: () => Promise<void>) => void }, yaml?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  if (yaml !== undefined) await writeFile(join(dir, 'nestor.yaml'), yaml);
  return dir;
}

test('defaults apply when nothing is set', async (t) => {
  const dir = await project(t);
  const c = await loadConfig({ cwd: dir, env: {} });
  assert.equal(c.projectDir, dir);
  assert.equal(c.projectFile, null);
  assert.equal(c.dataDir, join(dir, '.data'));
  assert.equal(c.logLevel, 'info');
  assert.deepEqual(
    { mode: c.nats.mode, host: c.nats.host, port: c.nats.port, monitorPort: c.nats.monitorPort, store: c.nats.store, urls: c.nats.urls },
    { mode: 'embedded', host: '127.0.0.1', port: -1, monitorPort: -1, store: 'file', urls: [] },
  );
  assert.deepEqual(c.events, {
    stream: 'ORCHESTRATOR',
    maxAgeMs: 7 * 24 * 3600 * 1000,
    maxBytes: 256 * 1024 * 1024,
    maxMsgs: 1_000_000,
    duplicateWindowMs: 120_000,
    replicas: 1,
    snapshotEvery: 10_000,
    snapshotIntervalMs: 60_000,
  });
  assert.deepEqual(c.api, { host: '127.0.0.1', port: 0, readOnly: false, allowedHosts: [] });
});

test('flags win over env, env over the project file, the file over defaults', async (t) => {
  const dir = await project(
    t,
    ['services: {}', 'config:', '  logLevel: debug', '  nats:', '    port: 4101', '    monitorPort: 4102', '  api:', '    port: 4103', '    readOnly: true', ''].join('\n'),
  );
  const env = { NESTOR_NATS_PORT: '4201', NESTOR_API_PORT: '4203', NESTOR_EVENTS_MAX_MSGS: '42' };
  const c = await loadConfig({ cwd: dir, env, flags: { nats: { port: 4301 } } });
  assert.equal(c.projectFile, join(dir, 'nestor.yaml'));
  assert.equal(c.nats.port, 4301, 'flag beats env and file');
  assert.equal(c.api.port, 4203, 'env beats file');
  assert.equal(c.nats.monitorPort, 4102, 'file beats default');
  assert.equal(c.logLevel, 'debug');
  assert.equal(c.api.readOnly, true);
  assert.equal(c.events.maxMsgs, 42);
  assert.equal(c.events.maxBytes, 256 * 1024 * 1024, 'untouched settings keep their defaults');
});

test('environment values are converted by kind (bool, list, int)', async (t) => {
  const dir = await project(t);
  const c = await loadConfig({
    cwd: dir,
    env: {
      NESTOR_API_READ_ONLY: 'yes',
      NESTOR_API_ALLOWED_HOSTS: 'nestor.example.com, nestor.lan:8080,[::1]',
      NESTOR_NATS_URLS: 'nats://10.0.0.1:4222, nats://10.0.0.2:4222',
      NESTOR_NATS_TOKEN: 's3cret',
      NESTOR_EVENTS_REPLICAS: '1',
    },
  });
  assert.equal(c.api.readOnly, true);
  assert.deepEqual(c.api.allowedHosts, ['nestor.example.com', 'nestor.lan:8080', '[::1]']);
  assert.deepEqual(c.nats.urls, ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222']);
  assert.equal(c.nats.mode, 'external', 'URLs alone select external mode');
  assert.equal(c.nats.token, 's3cret');
});

test('a cluster given partly in the file and partly in the env is merged', async (t) => {
  const dir = await project(t, 'config:\n  nats:\n    cluster:\n      name: c1\n      port: 6333\n');
  const c = await loadConfig({ cwd: dir, env: { NESTOR_CLUSTER_ROUTES: 'nats://127.0.0.1:6334' } });
  assert.deepEqual(c.nats.cluster, { name: 'c1', host: '127.0.0.1', port: 6333, routes: ['nats://127.0.0.1:6334'] });
});

test('an explicit project file sets the project dir, and a relative data dir resolves against it', async (t) => {
  const dir = await project(t, 'config:\n  dataDir: state\n');
  const elsewhere = await project(t);
  const c = await loadConfig({ cwd: elsewhere, env: {}, projectFile: join(dir, 'nestor.yaml') });
  assert.equal(c.projectDir, dir);
  assert.equal(c.dataDir, join(dir, 'state'));
});

test('test mode gives each load a fresh data dir under .data-test and a memory store', async (t) => {
  const dir = await project(t);
  const a = await loadConfig({ cwd: dir, env: {}, test: true, testName: 'my test' });
  const b = await loadConfig({ cwd: dir, env: {}, test: true, testName: 'my test' });
  assert.notEqual(a.dataDir, b.dataDir);
  for (const c of [a, b]) {
    assert.ok(c.dataDir.startsWith(join(dir, TEST_DATA_ROOT, 'my-test-')), c.dataDir);
    assert.equal(c.nats.store, 'memory');
    assert.equal(c.nats.port, -1);
    assert.equal(c.test, true);
  }
  const file = await loadConfig({ cwd: dir, env: {}, test: true, flags: { nats: { store: 'file' } } });
  assert.equal(file.nats.store, 'file', 'test mode only changes the default');
});
