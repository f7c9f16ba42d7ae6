// The spec side of log readiness probes and limits.memory: what a user writes, what it becomes,
// and the errors that name the field and the expected format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateProject, validateService } from '../../src/spec/index.ts';

const proc = { command: 'node', args: ['main.js'] };

test('a log probe takes pattern, stream and timeout, with defaults', () => {
  const full = validateService('api', { process: proc, health: { type: 'log', pattern: 'listening on \\d+', stream: 'stderr', timeout: '2m' } });
  assert.ok(full.ok);
  assert.deepEqual(full.spec.health, {
    type: 'log',
    pattern: 'listening on \\d+',
    stream: 'stderr',
    expectedStatus: [],
    intervalMs: 0,
    timeoutMs: 120_000,
    initialDelayMs: 0,
    failureThreshold: 1,
  });
  const short = validateService('api', { process: proc, health: { type: 'log', pattern: 'ready' } });
  assert.ok(short.ok);
  assert.equal(short.spec.health?.stream, 'both');
  assert.equal(short.spec.health?.timeoutMs, 60_000);
});

test('an invalid regular expression is an error naming the field', () => {
  const result = validateProject({ services: { api: { process: proc, health: { type: 'log', pattern: 'listening (on' } } } });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0]?.path, 'services.api.health.pattern');
  assert.match(result.errors[0]?.expected ?? '', /^a valid regular expression \(.*\)$/);
  assert.equal(result.errors[0]?.got, '"listening (on"');
});

test('a log probe is for readiness only, and takes no interval', () => {
  const result = validateProject({
    services: {
      api: { process: proc, liveness: { type: 'log', pattern: 'ok' } },
      web: { process: proc, health: { type: 'log', pattern: 'ok', interval: '1s' } },
    },
  });
  assert.equal(result.ok, false);
  if (result.ok) return;
  const paths = result.errors.map((e) => e.path).sort();
  assert.deepEqual(paths, ['services.api.liveness.type', 'services.web.health.interval']);
});

test('limits.memory accepts MB, GB, MiB, fractions and bytes', () => {
  const bytes = (memory: unknown): number | undefined => {
    const r = validateService('api', { process: proc, limits: { memory } });
    assert.ok(r.ok, `expected ${JSON.stringify(memory)} to be accepted`);
    return r.spec.limits?.memoryBytes;
  };
  assert.equal(bytes('512MB'), 512 * 1024 ** 2);
  assert.equal(bytes('1.5GB'), 1.5 * 1024 ** 3);
  assert.equal(bytes('64MiB'), 64 * 1024 ** 2);
  assert.equal(bytes(104857600), 104857600);
  const none = validateService('api', { process: proc });
  assert.ok(none.ok);
  assert.equal(none.spec.limits, undefined);
});

test('a malformed limits.memory names the field and the expected format', () => {
  for (const memory of ['512', '512 megabytes', '1.5TB', 0, -1, '0MB', true]) {
    const result = validateProject({ services: { api: { process: proc, limits: { memory } } } });
    assert.equal(result.ok, false, `expected ${JSON.stringify(memory)} to be rejected`);
    if (result.ok) continue;
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0]?.path, 'services.api.limits.memory');
    assert.match(result.errors[0]?.expected ?? '', /^memory size such as "512MB", "1.5GB" or "64MiB"/);
  }
});
