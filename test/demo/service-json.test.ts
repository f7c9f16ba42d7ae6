// The demos' service.json files are valid specs (the lead's nestor.yaml is built from them)
// and agree with the code they describe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { validateProject } from '../../src/spec/index.ts';
import { PROJECT_DIR } from './helpers.ts';

async function load(name: string): Promise<Record<string, unknown> & { dep: { entry: string; name: string }; id: string }> {
  return JSON.parse(await readFile(join(PROJECT_DIR, 'demo', name, 'service.json'), 'utf8')) as never;
}

test('alpha and beta service.json validate together, beta waiting for alpha to be ready', async () => {
  const [alpha, beta] = await Promise.all([load('alpha'), load('beta')]);
  const result = validateProject({ services: { alpha, beta } });
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.project.services.beta?.dependencies, [{ id: 'alpha', condition: 'ready' }]);
  for (const spec of [alpha, beta]) {
    assert.equal(spec.dep.name, spec.id);
    await stat(join(PROJECT_DIR, spec.dep.entry));
    assert.equal(result.project.services[spec.id]?.process.command, `{dep.bin}/${spec.id}`);
  }
});
