// After a kill -9 of `nestor up`, the next `nestor up --detach` tells the user on its own stderr
// what the crashed run's guardian did (the detached child writes it to nestor-up.log only), and
// only that once: a later run of the same project, from the same file store, does not repeat it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../../src/harness/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import { isProcessAlive } from '../../src/process/index.ts';
import { tempProject } from './helpers.ts';

const STACK = `services:
  server:
    process: { command: node, args: ["-e", "setInterval(() => {}, 1000)"] }
`;

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('up --detach after a kill -9 of nestor up prints the recovery note on its stderr, once', async (t) => {
  const dir = await tempProject(t, STACK);
  const first = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(first.code, 0, first.stderr);
  assert.doesNotMatch(first.stderr, /previous run/);
  const [info, status] = await Promise.all([runCli(['info', '--json'], { cwd: dir }), runCli(['status', '--json'], { cwd: dir })]);
  const upPid = info.json<{ pid: number }>().pid;
  const serverPid = status.json<StatusJson>().services.find((s) => s.id === 'server')?.pid as number;
  process.kill(upPid, 'SIGKILL');
  // The guardian stops the service, then leaves its report for the next run.
  await until('the guardian', async () => existsSync(join(dir, '.data', 'crash-report.json')) && !(await isProcessAlive(serverPid)));

  const second = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, new RegExp(`^nestor the previous run crashed; its guardian stopped server \\(pid ${serverPid}\\)$`, 'm'));
  assert.equal((await runCli(['down'], { cwd: dir })).code, 0);

  const third = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(third.code, 0, third.stderr);
  assert.doesNotMatch(third.stderr, /previous run/, 'an earlier run’s note is not repeated');
  assert.equal((await runCli(['down'], { cwd: dir })).code, 0);
});
