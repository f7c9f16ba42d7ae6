// The committed JSON Schema is exactly what the zod schema generates, documents its fields, and
// the full examples in docs/spec.md validate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { generateSchema, SCHEMA_PATH } from '../../scripts/gen-schema.ts';
import { validateProject } from '../../src/spec/index.ts';

test('schema/nestor.schema.json equals a fresh generation (run scripts/gen-schema.ts after schema changes)', () => {
  assert.equal(readFileSync(SCHEMA_PATH, 'utf8'), generateSchema());
});

test('every field of a service spec carries a description for editors', () => {
  const schema = JSON.parse(generateSchema()) as { definitions: { service: unknown } };
  const missing: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    for (const [key, child] of Object.entries((n['properties'] as Record<string, Record<string, unknown>>) ?? {})) {
      if (typeof child['description'] !== 'string') missing.push(`${path}.${key}`);
      walk(child, `${path}.${key}`);
    }
    for (const k of ['anyOf', 'oneOf'] as const) (n[k] as unknown[] | undefined)?.forEach((c) => walk(c, path));
    if (n['items']) walk(n['items'], `${path}[]`);
  };
  walk(schema.definitions.service, 'service');
  assert.deepEqual(missing, []);
});

test('the full examples in docs/spec.md validate', () => {
  const doc = readFileSync(new URL('../../docs/spec.md', import.meta.url), 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1] as string)
    .filter((b) => /^# yaml-language-server: \$schema=/.test(b) && b.includes('services:'));
  assert.ok(blocks.length >= 1, 'docs/spec.md has a full example');
  for (const block of blocks) {
    const result = validateProject(parseYaml(block));
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.errors, null, 2));
  }
});
