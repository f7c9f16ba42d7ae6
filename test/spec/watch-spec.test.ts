// The `watch` block: defaults filled in, and every wrong field named by its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateProject } from '../../src/spec/index.ts';
import type { SpecIssue } from '../../src/spec/index.ts';

const DURATION = 'duration such as "250ms", "5s", "2m", "1h" or a number of milliseconds';
const project = (watch: unknown): unknown => ({ services: { api: { process: { command: 'node' }, watch } } });
const issues = (watch: unknown): SpecIssue[] => {
  const result = validateProject(project(watch));
  assert.equal(result.ok, false);
  return result.ok ? [] : result.errors;
};

test('a watch block gets its defaults: no extra ignores, 200ms debounce, no cascade', () => {
  const result = validateProject(project({ paths: ['src', 'package.json'] }));
  assert.ok(result.ok);
  assert.deepEqual(result.project.services['api']?.watch, { paths: ['src', 'package.json'], ignore: [], debounceMs: 200, cascade: false });
  const written = validateProject(project({ paths: ['src'], ignore: ['*.test.ts'], debounce: '1s', cascade: true }));
  assert.ok(written.ok);
  assert.deepEqual(written.project.services['api']?.watch, { paths: ['src'], ignore: ['*.test.ts'], debounceMs: 1000, cascade: true });
});

test('a service without a watch block is not watched', () => {
  const result = validateProject({ services: { api: { process: { command: 'node' } } } });
  assert.ok(result.ok);
  assert.equal(result.project.services['api']?.watch, undefined);
});

test('unknown fields and wrong types in watch are named by their path', () => {
  assert.deepEqual(issues({ paths: ['src'], paht: 1 }), [
    { path: 'services.api.watch.paht', expected: 'a known field (one of paths, ignore, debounce, cascade)', got: '1' },
  ]);
  assert.deepEqual(issues({ paths: 'src' }), [{ path: 'services.api.watch.paths', expected: 'a list', got: '"src"' }]);
  assert.deepEqual(issues({ paths: [] }), [{ path: 'services.api.watch.paths', expected: 'at least one path', got: 'a list of 0 items' }]);
  assert.deepEqual(issues({ paths: ['src'], ignore: [3], debounce: 'soon', cascade: 'yes' }), [
    { path: 'services.api.watch.ignore[0]', expected: 'non-empty string', got: '3' },
    { path: 'services.api.watch.debounce', expected: DURATION, got: '"soon"' },
    { path: 'services.api.watch.cascade', expected: 'true or false', got: '"yes"' },
  ]);
  assert.deepEqual(issues(['src']), [{ path: 'services.api.watch', expected: 'an object', got: 'a list of 1 item' }]);
});
