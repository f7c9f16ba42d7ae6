// Validation is total: arbitrary JSON, or a valid project with one part replaced by arbitrary
// JSON, never makes it throw, every rejection says where, and every acceptance can be ordered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { selectServices, startOrder, validateProject, validateService } from '../../src/spec/index.ts';
import type { ProjectResult } from '../../src/spec/index.ts';

const seed = JSON.parse(readFileSync(new URL('../fixtures/specs/compat-redis.json', import.meta.url), 'utf8')) as unknown;

function checkResult(result: ProjectResult | ReturnType<typeof validateService>): void {
  if (result.ok) return;
  assert.ok(result.errors.length > 0, 'a rejection lists at least one issue');
  for (const e of result.errors) {
    assert.equal(typeof e.path, 'string');
    assert.ok(e.path.length > 0, `empty path in ${JSON.stringify(e)}`);
    assert.ok(e.expected.length > 0, `empty expected text in ${JSON.stringify(e)}`);
    assert.equal(typeof e.got, 'string');
  }
}

/** Every path (as keys) into a JSON value, the root included. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  }
  return out;
}

function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = replacement;
  return copy;
}

const seedPaths = pathsOf(seed);

test('arbitrary JSON values never make validateProject throw; rejections have paths', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (raw) => {
      checkResult(validateProject(raw));
    }),
    { numRuns: 500 },
  );
});

test('projects with arbitrary services never make validation throw', () => {
  const services = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('api', 'db', 'a.b')), fc.jsonValue());
  fc.assert(
    fc.property(services, (s) => {
      checkResult(validateProject({ services: s }));
    }),
    { numRuns: 300 },
  );
});

test('a valid project with one part replaced by arbitrary JSON: rejected with paths, or accepted and orderable', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: seedPaths.length - 1 }), fc.jsonValue({ maxDepth: 3 }), (i, replacement) => {
      const raw = replaceAt(seed, seedPaths[i] as (string | number)[], replacement);
      const result = validateProject(raw);
      checkResult(result);
      if (result.ok) {
        assert.doesNotThrow(() => startOrder(result.project.services));
        assert.doesNotThrow(() => selectServices(result.project));
      }
    }),
    { numRuns: 1000 },
  );
});

test('validateService never throws on any id and value', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.constant('api')), fc.jsonValue(), (id, raw) => {
      checkResult(validateService(id, raw));
    }),
    { numRuns: 300 },
  );
});

test('random dependency graphs (ids like "constructor" included): accepted ones start dependencies first', () => {
  const pool = ['api', 'db', 'constructor', 'toString', 'hasOwnProperty', 'web'];
  const service = fc.record({
    kind: fc.constantFrom('daemon', 'oneshot'),
    dependencies: fc.subarray(pool),
  });
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...pool), service), (specs) => {
      const raw = { services: Object.fromEntries(Object.entries(specs).map(([id, s]) => [id, { ...s, process: { command: id } }])) };
      const result = validateProject(raw);
      checkResult(result);
      if (!result.ok) return;
      const layerOf = new Map(startOrder(result.project.services).flatMap((layer, i) => layer.map((id) => [id, i] as const)));
      assert.deepEqual([...layerOf.keys()].sort(), Object.keys(specs).sort());
      for (const [id, spec] of Object.entries(result.project.services)) {
        for (const dep of spec.dependencies) assert.ok((layerOf.get(dep.id) as number) < (layerOf.get(id) as number), `${dep.id} before ${id}`);
      }
      assert.deepEqual(selectServices(result.project, { only: ['constructor'] }).ok, 'constructor' in specs && Object.hasOwn(specs, 'constructor'));
    }),
    { numRuns: 500 },
  );
});
