import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, readProjectFile } from '../../src/config/index.ts';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-config-err-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function configError(check: (err: ConfigError) => void): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    check(err);
    return true;
  };
}

test('a YAML syntax error names the file, line and column', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'nestor.yaml');
  await writeFile(file, 'services:\n  api:\n    process: {command: node\nconfig: {}\n');
  await assert.rejects(
    readProjectFile(file),
    configError((err) => {
      assert.equal(err.source, file);
      assert.equal(err.expected, 'valid YAML');
      assert.equal(typeof err.line, 'number');
      assert.equal(typeof err.column, 'number');
      assert.ok(err.message.startsWith(`${file}:${err.line}:${err.column}: expected valid YAML`), err.message);
    }),
  );
});

test('a JSON project file with a syntax error reports a position too', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'nestor.json');
  await writeFile(file, '{\n  "services": {},\n  "config": { "logLevel": "info" "x" }\n}\n');
  await assert.rejects(
    loadConfig({ cwd: dir, env: {} }),
    configError((err) => {
      assert.equal(err.expected, 'valid JSON');
      assert.equal(err.line, 3);
    }),
  );
});

test('a bad value in the config block names its path and line', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'nestor.yaml');
  await writeFile(file, 'services: {}\nconfig:\n  nats:\n    port: 0\n');
  await assert.rejects(
    loadConfig({ cwd: dir, env: {} }),
    configError((err) => {
      assert.equal(err.source, file);
      assert.equal(err.path, 'config.nats.port');
      assert.equal(err.got, 0);
      assert.equal(err.line, 4);
      assert.match(err.message, /-1 for a random port/);
    }),
  );
});

test('an unknown key in the config block is refused', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'nestor.yaml'), 'config:\n  nats:\n    prot: 4222\n');
  await assert.rejects(
    loadConfig({ cwd: dir, env: {} }),
    configError((err) => assert.equal(err.path, 'config.nats.prot')),
  );
});

test('a bad environment value names the variable', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(
    loadConfig({ cwd: dir, env: { NESTOR_NATS_PORT: 'forty-two' } }),
    configError((err) => {
      assert.equal(err.source, 'NESTOR_NATS_PORT');
      assert.equal(err.path, 'nats.port');
      assert.equal(err.got, 'forty-two');
      assert.match(err.message, /^NESTOR_NATS_PORT: nats\.port: expected an integer port/);
    }),
  );
  await assert.rejects(
    loadConfig({ cwd: dir, env: { NESTOR_API_READ_ONLY: 'maybe' } }),
    configError((err) => assert.equal(err.source, 'NESTOR_API_READ_ONLY')),
  );
  // A URL is not a host name: the Host header never carries a scheme or a path.
  await assert.rejects(
    loadConfig({ cwd: dir, env: { NESTOR_API_ALLOWED_HOSTS: 'http://nestor.example.com/' } }),
    configError((err) => {
      assert.equal(err.source, 'NESTOR_API_ALLOWED_HOSTS');
      assert.match(err.message, /api\.allowedHosts.*host names such as/);
    }),
  );
});

test('a bad flag names the flag, and secrets are not echoed', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(
    loadConfig({ cwd: dir, env: {}, flags: { logLevel: 'loud' as 'info' } }),
    configError((err) => assert.equal(err.source, '--log-level')),
  );
  await writeFile(join(dir, 'nestor.yaml'), 'config:\n  nats:\n    pass: 12345\n');
  await assert.rejects(
    loadConfig({ cwd: dir, env: {} }),
    configError((err) => {
      assert.equal(err.path, 'config.nats.pass');
      assert.ok(!err.message.includes('12345'), err.message);
    }),
  );
});

test('contradictory settings are refused with a way out', async (t) => {
  const dir = await tempDir(t);
  const cases: [Record<string, string>, string][] = [
    [{ NESTOR_NATS_MODE: 'external' }, 'nats.urls'],
    [{ NESTOR_NATS_MODE: 'embedded', NESTOR_NATS_URLS: 'nats://x:4222' }, 'nats.urls'],
    [{ NESTOR_NATS_URLS: 'nats://x:4222', NESTOR_NATS_TOKEN: 't', NESTOR_NATS_CREDS: '/c.creds' }, 'nats.creds'],
    [{ NESTOR_NATS_URLS: 'nats://x:4222', NESTOR_NATS_USER: 'u' }, 'nats.pass'],
    [{ NESTOR_NATS_TOKEN: 't' }, 'nats.token'],
    [{ NESTOR_EVENTS_REPLICAS: '3' }, 'events.replicas'],
    [{ NESTOR_EVENTS_MAX_AGE_MS: '1000', NESTOR_EVENTS_DUPLICATE_WINDOW_MS: '5000' }, 'events.duplicateWindowMs'],
    [{ NESTOR_CLUSTER_PORT: '6222' }, 'nats.cluster.name'],
  ];
  for (const [env, path] of cases) {
    await assert.rejects(
      loadConfig({ cwd: dir, env }),
      configError((err) => assert.equal(err.path, path, JSON.stringify(env))),
    );
  }
});

test('two project files in one folder are ambiguous; a missing -f file is an error', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(
    loadConfig({ cwd: dir, env: {}, projectFile: 'missing.yaml' }),
    configError((err) => assert.equal(err.expected, 'an existing project file')),
  );
  await writeFile(join(dir, 'nestor.yaml'), 'services: {}\n');
  await writeFile(join(dir, 'nestor.json'), '{"services": {}}\n');
  await assert.rejects(
    loadConfig({ cwd: dir, env: {} }),
    configError((err) => assert.equal(err.expected, 'one project file')),
  );
});
