// Settled means no further transition will happen without a user's action. `up --detach` uses
// that one rule: it returns at once when a dependency has failed for good (naming the blocked
// dependent and why), it does not return while a failing start is still being retried, and a
// daemon that exits with an error under restartPolicy never has failed, with its exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/harness/index.ts';
import { tempProject } from './helpers.ts';
import type { StatusEntry, StatusJson } from '../../src/views/index.ts';


const PROJECT = `services:
  crasher:
    process: { command: node, args: ["-e", "setTimeout(() => process.exit(3), 300)"], restartPolicy: never }
    health: { type: tcp, endpoint: "127.0.0.1:1", interval: 100ms }
  dependent:
    process: { command: node, args: ["-e", "setInterval(() => {}, 1000)"] }
    dependencies: [crasher]
  ghost:
    process: { command: ./does-not-exist }
    backoff: 50ms
    maxRestarts: 2
`;

test('up --detach settles on a failed dependency, a retried start and an error exit under restartPolicy never', async (t) => {
  const dir = await tempProject(t, PROJECT, 'nestor-settled-');
  const up = await runCli(['up', '--detach', '--json', '--wait-timeout', '60s'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 1, up.stderr);
  const byId = (doc: StatusJson): Record<string, StatusEntry> => Object.fromEntries(doc.services.map((s) => [s.id, s]));
  const services = byId(up.json<StatusJson>());

  assert.equal(services['crasher']?.state, 'failed', 'an error exit that is not restarted is a failure');
  assert.equal(services['crasher']?.lastError, 'exited with code 3');
  assert.equal(services['crasher']?.settled, true);

  assert.equal(services['dependent']?.state, 'pending');
  assert.equal(services['dependent']?.blocked, 'blocked: crasher failed');
  assert.equal(services['dependent']?.settled, true);

  // Returned only once the retries were used up, never while a restart was on its way.
  assert.equal(services['ghost']?.state, 'failed');
  assert.equal(services['ghost']?.restarts, 2, 'every retry counts, although none spawned a process');
  assert.match(services['ghost']?.lastError ?? '', /^retries exhausted after 2 attempts \(maxRestarts 2\); last error: spawn: /);

  assert.match(up.stderr, /not ready: crasher failed \(exited with code 3\); dependent blocked: crasher failed; ghost failed \(retries exhausted/);
  assert.match(up.stderr, /`nestor status crasher` shows why/);

  const status = await runCli(['status', '--json'], { cwd: dir });
  assert.equal(status.code, 0, status.stderr);
  const now = byId(status.json<StatusJson>());
  assert.deepEqual(
    ['crasher', 'dependent', 'ghost'].map((id) => [id, now[id]?.state, now[id]?.blocked]),
    [
      ['crasher', 'failed', null],
      ['dependent', 'pending', 'blocked: crasher failed'],
      ['ghost', 'failed', null],
    ],
  );
  assert.equal((await runCli(['down'], { cwd: dir })).code, 0);
});
