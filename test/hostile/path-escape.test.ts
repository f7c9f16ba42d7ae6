// Ensure targets, template sources and log paths cannot leave the project dir or the data dir,
// neither with `..` nor through symlinks planted inside them, through a real registration: the
// start fails with reason `ensure` and an error naming the path, and nothing appears outside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createHarness } from '../../src/harness/index.ts';
import { nodeService, tempDir } from './support.ts';

type Ensure = Record<string, string>;

const oneshot = (...ensure: Ensure[]) => ({ kind: 'oneshot', process: { command: '/bin/true', ensure } });

test('ensure actions that escape through .. or symlinks fail the start, naming the path', async (t) => {
  const project = tempDir(t, 'escape-project');
  const outside = tempDir(t, 'escape-outside');
  writeFileSync(join(project, 'page.tpl'), 'hello {service.id}\n');
  symlinkSync(outside, join(project, 'link'));
  symlinkSync(join(outside, 'created-by-link.txt'), join(project, 'dangling'));
  await using h = await createHarness({ name: 'path-escape', cwd: project });
  t.after(() => h.close());
  // A symlink inside a service's own data dir, planted before the service first starts.
  const planted = join(h.dataDir, 'services', 'viadata');
  mkdirSync(planted, { recursive: true });
  symlinkSync(outside, join(planted, 'evil'));

  const up = `../${basename(outside)}/dotdot`;
  const attempts: Record<string, { spec: object; path: string }> = {
    dotdot: { spec: oneshot({ type: 'mkdir', path: up }), path: up },
    absolute: { spec: oneshot({ type: 'mkdir', path: join(outside, 'absolute') }), path: join(outside, 'absolute') },
    deep: { spec: oneshot({ type: 'mkdir', path: `{dirs.data}/../../../../../../../..${outside}/deep` }), path: `${outside}/deep` },
    vialink: { spec: oneshot({ type: 'mkdir', path: 'link/sub' }), path: 'link/sub' },
    viadangling: { spec: oneshot({ type: 'template', template: 'page.tpl', target: 'dangling' }), path: 'dangling' },
    viadata: { spec: oneshot({ type: 'template', template: 'page.tpl', target: '{dirs.data}/evil/pwned.txt' }), path: 'evil/pwned.txt' },
    source: { spec: oneshot({ type: 'template', template: `../${basename(outside)}/secret`, target: '{dirs.data}/copy' }), path: 'secret' },
  };
  writeFileSync(join(outside, 'secret'), 'do not copy\n');
  const since = h.lastSeq();
  const fine = oneshot({ type: 'mkdir', path: '{dirs.data}/made' }, { type: 'template', template: 'page.tpl', target: '{dirs.data}/page.txt' });
  await h.register({ services: { ...Object.fromEntries(Object.entries(attempts).map(([id, a]) => [id, a.spec])), fine } });

  for (const [id, { path }] of Object.entries(attempts)) {
    const failed = await h.waitForEvent('orchestrator.service.start.failed', (e) => e.data.service === id, { since });
    assert.equal(failed.data.reason, 'ensure', `${id}: ${failed.data.error}`);
    assert.ok(failed.data.error.includes(path), `${id}: the error names ${path}: ${failed.data.error}`);
    assert.match(failed.data.error, /outside the allowed roots/);
    assert.equal(h.service(id).state, 'failed');
  }
  assert.deepEqual(readdirSync(outside).sort(), ['secret'], 'nothing was created outside');
  assert.equal(existsSync(join(h.dataDir, 'services', 'source', 'copy')), false, 'the outside file was not copied in');

  // The same actions inside the roots work.
  await h.waitForState('fine', 'completed');
  const ensured = h.events().find((e) => e.type === 'orchestrator.service.ensure' && e.data.service === 'fine');
  assert.ok(ensured !== undefined);
  assert.equal(readFileSync(join(h.dataDir, 'services', 'fine', 'page.txt'), 'utf8'), 'hello fine\n');
  assert.ok(existsSync(join(h.dataDir, 'services', 'fine', 'made')));
});

test('log paths in a spec cannot place output outside the data dir', async (t) => {
  const project = tempDir(t, 'log-project');
  const outside = tempDir(t, 'log-outside');
  await using h = await createHarness({ name: 'log-escape', cwd: project });
  t.after(() => h.close());
  const logging = { stdout: `../../../${basename(outside)}/out.log`, stderr: join(outside, 'err.log') };
  await h.register({ services: { printer: nodeService('console.log("to stdout"); console.error("to stderr")', [], { kind: 'oneshot', logging }) } });
  await h.waitForState('printer', 'completed');
  await h.waitForEvent('orchestrator.service.log', (e) => e.data.service === 'printer');
  assert.deepEqual(readdirSync(outside), [], 'nothing written outside');
  const file = join(h.dataDir, 'logs', 'printer.log');
  assert.equal(readFileSync(file, 'utf8'), 'to stdout\nto stderr\n');
});
