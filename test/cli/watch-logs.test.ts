// `nestor watch` (live state: a snapshot, then changes) and `nestor logs` (a service's output
// file) against the demo stack. Watch lines are checked against the events that caused them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCli } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import type { WatchChange } from '../../src/cli/watch.ts';
import { demoStack } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await demoStack('cli-watch');
});
after(() => h.close());

test('watch --json prints a snapshot, then one object per changed service', async () => {
  const session = h.startCli(['watch', '--json']);
  const first = JSON.parse(await session.waitForLine(/"kind":"snapshot"/)) as StatusJson & { kind: string };
  assert.deepEqual(
    first.services.map((s) => [s.id, s.state]),
    [
      ['alpha', 'ready'],
      ['beta', 'ready'],
    ],
  );
  const since = h.lastSeq();
  assert.equal((await h.command('stop', 'beta')).ok, true);
  const exit = await h.waitForEvent('orchestrator.service.exit', (e) => e.data.service === 'beta', { since });
  const line = await session.waitForLine((l) => l.includes('"to":"stopped"'));
  const change = JSON.parse(line) as WatchChange;
  assert.equal(change.kind, 'change');
  assert.equal(change.service, 'beta');
  assert.equal(change.from, 'stopping');
  assert.equal(change.seq, exit.seq);
  assert.equal(change.type, 'orchestrator.service.exit');
  assert.equal(change.status.state, 'stopped');
  assert.deepEqual(change.status.lastExit, { code: exit.data.code, signal: exit.data.signal, at: exit.timestamp });
  const res = await session.interrupt();
  assert.equal(res.code, 0, res.stderr);
  assert.ok(res.jsonLines<{ seq: number }>().every((l, i, all) => i === 0 || l.seq >= (all[i - 1]?.seq ?? 0)), 'changes arrive in stream order');
  await h.command('start', 'beta');
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'beta', { since: exit.seq });
});

test('watch without a terminal prints the table, then one line per transition', async () => {
  const session = h.startCli(['watch']);
  await session.waitForLine(/^beta\s+ready\s/);
  const since = h.lastSeq();
  await h.command('restart', 'alpha');
  const start = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'alpha', { since });
  await session.waitForLine(new RegExp(`alpha\\s+starting → running  \\(pid ${start.data.pid}, attempt 0\\)`));
  await session.waitForLine(/alpha\s+running → ready/);
  assert.equal((await session.interrupt()).code, 0);
});

test('watch ends with exit 1 when the instance goes away', async () => {
  const other = await demoStack('cli-watch-gone');
  // Not other.startCli: the harness would interrupt its own sessions when it closes.
  const session = startCli(['watch', '--json'], { cwd: other.config.projectDir, env: other.cliEnv() });
  await session.waitForLine(/"kind":"snapshot"/);
  await other.close();
  const res = await session.result;
  assert.equal(res.code, 1);
  assert.match(res.stderr, /the instance stopped/);
});

test('logs prints the last lines of a service log; -n limits them', async () => {
  const alpha = h.service('alpha');
  const [all, one] = await Promise.all([h.cli(['logs', 'alpha']), h.cli(['logs', 'alpha', '-n', '1'])]);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, new RegExp(`^alpha listening on http://127\\.0\\.0\\.1:${alpha.ports.primary} pid=${alpha.pid} `, 'm'));
  assert.equal(one.stdout.trimEnd().split('\n').length, 1);
  assert.equal(one.stdout.trimEnd(), all.stdout.trimEnd().split('\n').at(-1));
});

test('logs -f follows new output until Ctrl-C', async () => {
  const session = h.startCli(['logs', 'beta', '-f', '-n', '1']);
  // The last existing line comes first: from then on the CLI is following the file.
  await session.waitForLine(/./);
  const since = h.lastSeq();
  await h.command('restart', 'beta');
  const start = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'beta', { since });
  await session.waitForLine(new RegExp(`beta listening on .* pid=${start.data.pid} `));
  assert.equal((await session.interrupt()).code, 0);
});

test('logs of an unknown service exits 2; a bad -n exits 2', async () => {
  const [unknown, lines] = await Promise.all([h.cli(['logs', 'gamma']), h.cli(['logs', 'alpha', '-n', 'many'])]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown service "gamma"/);
  assert.equal(lines.code, 2);
  assert.match(lines.stderr, /-n "many": expected a number of lines/);
});
