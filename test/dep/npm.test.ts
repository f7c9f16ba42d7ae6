// The npm source, for real: cowsay at a pinned version from the npm registry into
// .dep/npm/<name>@<version>, its bin linked into .dep/bin; a second ensure is fresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DepError, ensureDeps, readManifest, verifyInstalled } from '../../src/dep/index.ts';

const run = promisify(execFile);

test('an npm dep is installed at its pinned version and its bin runs from .dep/bin', async (t) => {
  const projectDir = await mkdtemp(join(tmpdir(), 'nestor-dep-npm-'));
  t.after(() => rm(projectDir, { recursive: true, force: true }));
  const depDir = join(projectDir, '.dep');
  const entry = { name: 'cowsay', source: 'npm', version: '1.6.0' };

  const [first] = await ensureDeps([entry], { projectDir });
  assert.equal(first?.action, 'installed');
  assert.equal(first?.path, join(depDir, 'bin', 'cowsay'));
  const { stdout } = await run(first.path, ['hello from nestor']);
  assert.match(stdout, /< hello from nestor >/);
  const record = (await readManifest(depDir)).cowsay;
  assert.equal(record?.source, 'npm');
  assert.equal(record?.version, '1.6.0');
  assert.equal(record?.package, 'cowsay');
  assert.equal(record?.target, 'npm/cowsay@1.6.0/node_modules/.bin/cowsay');
  assert.deepEqual(await readdir(join(depDir, 'npm')), ['cowsay@1.6.0'], 'no temp folder is left');

  assert.equal((await ensureDeps([entry], { projectDir }))[0]?.action, 'fresh');
  assert.deepEqual((await verifyInstalled(depDir)).map((v) => [v.name, v.status]), [['cowsay', 'ok']]);

  await assert.rejects(
    ensureDeps([{ ...entry, name: 'cow2', package: 'cowsay', bin: 'moo' }], { projectDir }),
    (err: unknown) => err instanceof DepError && err.reason === 'missing-binary' && /cowsay@1\.6\.0 has no bin named "moo" \(it has .*cowsay/.test(err.message),
  );
  assert.deepEqual(await readdir(join(depDir, 'npm')), ['cowsay@1.6.0']);

  await assert.rejects(
    ensureDeps([{ name: 'nestor-no-such-package-xyz', source: 'npm', version: '1.0.0' }], { projectDir }),
    (err: unknown) => err instanceof DepError && err.reason === 'install-failed' && /npm install nestor-no-such-package-xyz@1\.0\.0 failed: .*E404/.test(err.message),
  );
  assert.deepEqual(await readdir(join(depDir, 'npm')), ['cowsay@1.6.0']);
});
