// Every command reads the project file's `config:` block; the block is read from its own lines
// when they stand alone. Whatever path is taken, the settings must be those of a whole parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, readProjectFile } from '../../src/config/index.ts';
import { readConfigBlockFast } from '../../src/config/project-file.ts';

const cases: { name: string; yaml: string; fast: 'none' | 'block' | 'whole'; logLevel: string }[] = [
  { name: 'no config block', yaml: 'services:\n  a:\n    process: { command: "sleep 1" }\n', fast: 'none', logLevel: 'info' },
  { name: 'a block between services', yaml: 'services:\n  a: {}\n# note\nconfig:\n  # why debug\n  logLevel: debug\n\n  api: { port: 0 }\nprofiles: []\n', fast: 'block', logLevel: 'debug' },
  { name: 'an alias into the block from an anchor outside it', yaml: 'x-level: &lvl warn\nconfig:\n  logLevel: *lvl\nservices: {}\n', fast: 'whole', logLevel: 'warn' },
  // YAML 1.2 has no merge keys: the whole parse reads `<<` as a key, and so must the settings.
  { name: 'a merge key at the top', yaml: 'base: &b\n  config:\n    logLevel: error\n<<: *b\nservices: {}\n', fast: 'whole', logLevel: 'info' },
  { name: 'a quoted config key', yaml: '"config":\n  logLevel: debug\nservices: {}\n', fast: 'whole', logLevel: 'debug' },
  { name: 'a flow mapping at the top', yaml: '{ config: { logLevel: warn }, services: {} }\n', fast: 'whole', logLevel: 'warn' },
  { name: 'an empty block', yaml: 'config:\nservices: {}\n', fast: 'block', logLevel: 'info' },
];

for (const c of cases) {
  test(`config block, ${c.name}: the settings of a whole parse (${c.fast === 'whole' ? 'read whole' : 'read alone'})`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'nestor-config-block-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'nestor.yaml');
    await writeFile(file, c.yaml);
    const fast = await readConfigBlockFast(file);
    assert.equal(fast === null ? 'whole' : fast.kind, c.fast);
    const whole = (await readProjectFile(file)).raw as { config?: { logLevel?: string } };
    assert.equal(whole.config?.logLevel ?? 'info', c.logLevel);
    const config = await loadConfig({ cwd: dir, env: {}, test: true, testName: 'config-block' });
    assert.equal(config.logLevel, c.logLevel);
  });
}

test('a project whose services are mid-edit (bad YAML) still gives its settings when it has no config block', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-config-block-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'nestor.yaml'), 'services:\n  a:\n    process: { command: "sleep 1"\n');
  const config = await loadConfig({ cwd: dir, env: {}, test: true, testName: 'config-block' });
  assert.equal(config.logLevel, 'info');
  await assert.rejects(readProjectFile(join(dir, 'nestor.yaml')), /expected valid YAML/);
});
