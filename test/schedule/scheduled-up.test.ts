// A scheduled job in a project, as a user brings it up: `nestor up --detach` returns 0 while the
// job waits for its first time (it has settled and is as it should be), `status` shows its next
// run, and `down` stops the stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/harness/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import { tempProject } from '../cli/helpers.ts';

const STACK = `services:
  report:
    kind: oneshot
    process: { command: /bin/sh, args: ["-c", "echo report"] }
    schedule: { cron: "0 4 * * *", timezone: UTC }
`;

test('up --detach exits 0 with a job waiting for its time; status tells the next run', async (t) => {
  const dir = await tempProject(t, STACK, 'nestor-sched-');
  const up = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /^SERVICE\s+STATE.*NEXT$/m);
  assert.match(up.stdout, /^report\s+stopped\s.*next (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d \(in [^)]+\)$/m);
  const status = await runCli(['status', '--json'], { cwd: dir });
  const report = status.json<StatusJson>().services.find((s) => s.id === 'report');
  assert.equal(report?.state, 'stopped');
  assert.match(report?.nextRunAt ?? '', /T04:00:00\.000Z$/);
  assert.equal(report?.schedule, 'cron 0 4 * * * (UTC)');
  const down = await runCli(['down'], { cwd: dir });
  assert.equal(down.code, 0, down.stderr);
});
