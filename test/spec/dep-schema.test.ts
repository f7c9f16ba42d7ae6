// Validation of `dep` blocks: each source's required fields, fields another source owns, and
// malformed values, all with their field paths, so a dep that cannot install fails `validate`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateProject } from '../../src/spec/index.ts';

function problems(dep: unknown): string[] {
  const result = validateProject({ services: { svc: { process: { command: 'x' }, dep } } });
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.expected}`);
}

const SHA = 'ab'.repeat(32);

test('every source validates with its own fields', () => {
  const good = [
    { name: 'alpha', source: 'local', entry: 'demo/alpha/main.ts', version: '0.1.0' },
    { name: 'sh', source: 'path' },
    { name: 'node', source: 'path', bin: '/usr/bin/node' },
    { name: 'redis', source: 'apt', package: 'redis-server', bin: 'redis-server' },
    { name: 'cowsay', source: 'npm', version: '1.6.0' },
    { name: 'scoped-tool', source: 'npm', package: '@acme/tool', version: '2.0.0-rc.1', bin: 'tool' },
    { name: 'x', source: 'url', url: 'https://example.com/x.zip', sha256: SHA.toUpperCase(), bin: 'bin/x' },
    { name: 'redis', source: 'github-release', repo: 'acme/redis', version: '7.2.4', asset: 'redis.tar.gz', sha256: SHA },
  ];
  for (const dep of good) assert.deepEqual(problems(dep), [], JSON.stringify(dep));
});

test('the seed redis dep as first written (no repo, no sha256) is refused, not skipped at start', () => {
  const seed = JSON.parse(readFileSync(new URL('../fixtures/specs/compat-redis.json', import.meta.url), 'utf8')) as {
    services: { redis: { dep: Record<string, unknown> } };
  };
  const { repo: _repo, sha256: _sha, bin: _bin, ...asWritten } = seed.services.redis.dep;
  assert.deepEqual(problems(asWritten), [
    'services.svc.dep.repo: repo (source github-release needs it)',
    'services.svc.dep.sha256: sha256 (source github-release needs it)',
  ]);
});

test('unknown sources, missing and foreign fields, and bad values are errors at their path', () => {
  assert.deepEqual(problems({ name: 'r', source: 'ftp' }), ['services.svc.dep.source: one of local, path, apt, npm, url, github-release']);
  assert.deepEqual(problems({ name: 'r' }), ['services.svc.dep.source: one of local, path, apt, npm, url, github-release']);
  assert.deepEqual(problems({ name: 'r', source: 'local' }), ['services.svc.dep.entry: entry (source local needs it)']);
  assert.deepEqual(problems({ name: 'r', source: 'local', entry: 'r.ts', bin: 'x' }), ['services.svc.dep.bin: no bin with source local (it takes entry)']);
  assert.deepEqual(problems({ name: 'r', source: 'url', sha256: SHA }), ['services.svc.dep.url: url (source url needs it)']);
  assert.deepEqual(problems({ name: 'r', source: 'url', url: 'ftp://x/y', sha256: 'zz' }), [
    'services.svc.dep.url: an http(s) URL',
    'services.svc.dep.sha256: a sha256: 64 hex digits',
  ]);
  assert.deepEqual(problems({ name: 'cowsay', source: 'npm' }), ['services.svc.dep.version: version (source npm needs it)']);
  assert.deepEqual(problems({ name: 'cowsay', source: 'npm', version: '^1.6.0' }), ['services.svc.dep.version: an exact version such as "1.6.0" (npm deps are pinned)']);
  assert.deepEqual(problems({ name: 'redis', source: 'apt', sha256: SHA }), ['services.svc.dep.sha256: no sha256 with source apt (it takes package, bin, version)']);
  assert.deepEqual(problems({ name: 'Redis', source: 'apt' }), ['services.svc.dep.name: a Debian package name (lower case)']);
  assert.deepEqual(problems({ name: 'r', source: 'github-release', repo: 'no-slash', version: '1', asset: 'a.zip', sha256: SHA }), ['services.svc.dep.repo: owner/name']);
  assert.deepEqual(problems({ name: 'r', source: 'url', url: 'https://x/y', sha256: SHA, bin: '../../etc/passwd' }), [
    'services.svc.dep.bin: a name or a relative path inside the package',
  ]);
  assert.deepEqual(problems({ name: 'a/b', source: 'path' }), ['services.svc.dep.name: dep name: letters, digits, ".", "-" or "_" (a file name, at most 64)']);
  assert.deepEqual(problems({ name: 'r', source: 'url', url: 'https://x/y', sha256: 123 }), ['services.svc.dep.sha256: a sha256: 64 hex digits (quoted in YAML)']);
});
