// A command missing from PATH: the start.failed event (repeated on every retry, shown in every
// feed) names the command in one short line, and `nestor status ID --verbose` lists the PATH the
// node searched, which the event records beside the error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from '../../src/harness/index.ts';

test('a command missing from a long PATH gives a short start.failed error; status --verbose lists the PATH', async () => {
  const dirs = Array.from({ length: 30 }, (_, i) => `/opt/nestor-test/toolchains/version-${i}/bin`);
  const PATH = dirs.join(':');
  await using h = await createHarness({
    name: 'cli-spawn-error',
    specs: { ghost: { process: { command: 'no-such-binary-xyz', env: { PATH } }, maxRestarts: 1, backoff: '50ms' } },
  });
  const failed = await h.waitForEvent('orchestrator.service.start.failed', (e) => e.data.service === 'ghost');
  assert.ok(PATH.length > 600);
  assert.ok(failed.data.error.length < 200, `${failed.data.error.length} characters: ${failed.data.error}`);
  assert.match(failed.data.error, /"no-such-binary-xyz": not found on PATH \(30 directories searched; `nestor status ghost --verbose` lists them\)/);
  assert.equal(failed.data.searchPath, PATH);
  await h.waitForState('ghost', 'failed');

  const plain = await h.cli(['status', 'ghost']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.doesNotMatch(plain.stdout, /version-0/, 'the PATH stays out of the plain view');
  const verbose = await h.cli(['status', 'ghost', '--verbose']);
  assert.equal(verbose.code, 0, verbose.stderr);
  assert.match(verbose.stdout, /^search path {3}PATH searched by start attempt 1 at \S+ \(30 directories, in order\):$/m);
  const listed = verbose.stdout.split('\n').filter((l) => l.startsWith('  /')).map((l) => l.trim());
  assert.deepEqual(listed, dirs);
});
