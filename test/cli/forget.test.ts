// Services a project no longer has do not linger: a new `up` retires them (an event, so the
// history keeps them), and `nestor forget ID` does it by hand for a service without a process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../src/harness/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import { tempProject } from './helpers.ts';

const SLEEPER = '{ command: node, args: ["-e", "setInterval(() => {}, 1000)"] }';
const ids = (doc: StatusJson): string[] => doc.services.map((s) => s.id);

test('a new up retires the services its project dropped; forget removes a stopped one and refuses a running one', async (t) => {
  const dir = await tempProject(t, `services:\n  web:\n    process: ${SLEEPER}\n  ghost:\n    process: ${SLEEPER}\n  extra:\n    process: ${SLEEPER}\n`, 'nestor-forget-');
  const first = await runCli(['up', '--detach', '--json'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(ids(first.json<StatusJson>()), ['extra', 'ghost', 'web']);
  assert.equal((await runCli(['down'], { cwd: dir })).code, 0);

  await writeFile(join(dir, 'nestor.yaml'), `services:\n  web:\n    process: ${SLEEPER}\n  extra:\n    process: ${SLEEPER}\n`);
  const second = await runCli(['up', '--detach', '--json'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(ids(second.json<StatusJson>()), ['extra', 'web']);
  const status = await runCli(['status', '--json'], { cwd: dir });
  assert.deepEqual(ids(status.json<StatusJson>()), ['extra', 'web'], 'ghost is retired from status');
  const events = await runCli(['events', '--json', '--service', 'ghost'], { cwd: dir });
  const types = events.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
  assert.ok(types.includes('orchestrator.service.start'), 'the history keeps ghost’s events');
  assert.equal(types.at(-1), 'orchestrator.service.retired');
  const unknown = await runCli(['stop', 'ghost'], { cwd: dir });
  assert.doesNotMatch(unknown.stderr, /ghost,|, ghost/, 'ghost is not listed among the registered services');

  const refused = await runCli(['forget', 'extra'], { cwd: dir });
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /extra is ready; stop or disable it first/);
  assert.equal((await runCli(['stop', 'extra'], { cwd: dir })).code, 0);
  const forgot = await runCli(['forget', 'extra'], { cwd: dir });
  assert.equal(forgot.code, 0, forgot.stderr);
  assert.match(forgot.stderr, /extra forgotten/);
  assert.deepEqual(ids((await runCli(['status', '--json'], { cwd: dir })).json<StatusJson>()), ['web']);
  assert.equal((await runCli(['down'], { cwd: dir })).code, 0);
});
