import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { EnsureError, PathEscapeError, runEnsure } from '../../src/process/index.ts';
import { tempDir } from './support.ts';

async function layout(t: TestContext) {
  const base = await tempDir(t);
  const root = join(base, 'data');
  const templates = join(base, 'templates');
  const outside = join(base, 'outside');
  for (const d of [root, templates, outside]) mkdirSync(d);
  writeFileSync(join(templates, 'app.conf'), 'port = {ports.primary}\ndata = {dirs.data}\n');
  return { base, root, templates, outside };
}

test('mkdir creates nested directories and template renders through the callback', async (t) => {
  const { root, templates } = await layout(t);
  const render = (text: string): string => text.replaceAll('{ports.primary}', '8080').replaceAll('{dirs.data}', root);
  const actions = [
    { type: 'mkdir' as const, path: join(root, 'cache/a/b') },
    { type: 'template' as const, template: 'app.conf', target: join(root, 'conf/app.conf') },
  ];
  const out = await runEnsure(actions, { allowedRoots: [root], templateDir: templates, render });
  assert.deepEqual(out, [
    { type: 'mkdir', target: join(root, 'cache/a/b'), changed: true },
    { type: 'template', target: join(root, 'conf/app.conf'), changed: true },
  ]);
  assert.ok(statSync(join(root, 'cache/a/b')).isDirectory());
  assert.equal(readFileSync(join(root, 'conf/app.conf'), 'utf8'), `port = 8080\ndata = ${root}\n`);

  const again = await runEnsure(actions, { allowedRoots: [root], templateDir: templates, render });
  assert.deepEqual(
    again.map((o) => o.changed),
    [false, false],
    'a second run changes nothing',
  );
});

test('relative targets resolve against baseDir, or the first root', async (t) => {
  const { root, templates } = await layout(t);
  const out = await runEnsure([{ type: 'mkdir', path: 'logs' }], { allowedRoots: [root], templateDir: templates });
  assert.equal(out[0]?.target, join(root, 'logs'));
  assert.ok(existsSync(join(root, 'logs')));
});

test('a ../ target outside every root is a PathEscapeError naming the path and the roots', async (t) => {
  const { root, templates, outside } = await layout(t);
  const path = join(root, '../outside/x');
  await assert.rejects(runEnsure([{ type: 'mkdir', path }], { allowedRoots: [root], templateDir: templates }), (err) => {
    assert.ok(err instanceof PathEscapeError);
    assert.equal(err.path, path);
    assert.equal(err.resolved, join(outside, 'x'));
    assert.deepEqual(err.roots, [root]);
    assert.match(err.message, /outside the allowed roots/);
    return true;
  });
  assert.equal(existsSync(join(outside, 'x')), false);
  // A sibling that merely shares the root's name as a prefix is outside too.
  mkdirSync(`${root}-evil`);
  await assert.rejects(runEnsure([{ type: 'mkdir', path: `${root}-evil/x` }], { allowedRoots: [root], templateDir: templates }), PathEscapeError);
});

test('a symlink inside a root that points outside cannot be written through', async (t) => {
  const { root, templates, outside } = await layout(t);
  symlinkSync(outside, join(root, 'link'));
  await assert.rejects(
    runEnsure([{ type: 'template', template: 'app.conf', target: join(root, 'link/app.conf') }], { allowedRoots: [root], templateDir: templates }),
    (err) => err instanceof PathEscapeError && err.resolved === join(outside, 'app.conf'),
  );
  await assert.rejects(runEnsure([{ type: 'mkdir', path: join(root, 'link/deeper/dir') }], { allowedRoots: [root], templateDir: templates }), PathEscapeError);
  // A dangling link would create its target outside: refused as well.
  symlinkSync(join(outside, 'not-yet'), join(root, 'dangling'));
  await assert.rejects(
    runEnsure([{ type: 'template', template: 'app.conf', target: join(root, 'dangling') }], { allowedRoots: [root], templateDir: templates }),
    (err) => err instanceof PathEscapeError && err.resolved === join(outside, 'not-yet'),
  );
  assert.equal(existsSync(join(outside, 'app.conf')), false);
  assert.equal(existsSync(join(outside, 'not-yet')), false);
});

test('a symlink whose target stays inside the roots is allowed, and a second root is honoured', async (t) => {
  const { base, root, templates } = await layout(t);
  mkdirSync(join(root, 'real'));
  symlinkSync(join(root, 'real'), join(root, 'alias'));
  const other = join(base, 'other-root');
  mkdirSync(other);
  const out = await runEnsure(
    [
      { type: 'template', template: 'app.conf', target: join(root, 'alias/app.conf') },
      { type: 'mkdir', path: join(other, 'x') },
    ],
    { allowedRoots: [root, other], templateDir: templates },
  );
  assert.equal(out.length, 2);
  assert.ok(existsSync(join(root, 'real/app.conf')));
});

test('templates must stay inside templateDir, and a missing template is an EnsureError', async (t) => {
  const { root, templates, base } = await layout(t);
  writeFileSync(join(base, 'secret.txt'), 'secret');
  await assert.rejects(
    runEnsure([{ type: 'template', template: '../secret.txt', target: join(root, 'copy') }], { allowedRoots: [root], templateDir: templates }),
    (err) => err instanceof PathEscapeError && err.roots[0] === templates,
  );
  await assert.rejects(
    runEnsure([{ type: 'template', template: 'missing.conf', target: join(root, 'copy') }], { allowedRoots: [root], templateDir: templates }),
    (err) => err instanceof EnsureError && err.action === 'template' && /missing\.conf/.test(err.reason),
  );
  assert.equal(existsSync(join(root, 'copy')), false);
});
