// enable, disable, start, stop, restart: the CLI sends the command over the bus and waits for
// its effect. The assertions read the events the controller published (command events with the
// CLI as requester, exits, starts), not what the CLI printed about them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Harness } from '../../src/harness/index.ts';
import type { StatusEntry } from '../../src/views/index.ts';
import { STACK_TRACE, demoStack } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await demoStack('cli-commands');
});
after(() => h.close());

const lastSeq = (): number => h.lastSeq();

test('stop waits until the service has stopped; start brings it back to ready with a new pid', async () => {
  const since = lastSeq();
  const pid = h.service('beta').pid;
  const stop = await h.cli(['stop', 'beta']);
  assert.equal(stop.code, 0, stop.stderr);
  const command = await h.waitForEvent('orchestrator.command.stop', (e) => e.data.service === 'beta', { since });
  assert.equal(command.data.requestedBy.component, 'cli');
  const exit = await h.waitForEvent('orchestrator.service.exit', (e) => e.data.service === 'beta', { since });
  assert.equal(exit.data.pid, pid);
  assert.equal(exit.data.expected, true);
  // It returned only once the stop had taken effect: the stream already says so.
  assert.equal(h.service('beta').state, 'stopped');
  assert.match(stop.stdout, /^beta\s+stopped\s+-\s/m);

  const again = lastSeq();
  const start = await h.cli(['start', 'beta', '--json']);
  assert.equal(start.code, 0, start.stderr);
  const started = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'beta', { since: again });
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'beta' && e.data.pid === started.data.pid, { since: again });
  const doc = start.json<{ ok: boolean; verb: string; service: string; message: string; status: StatusEntry }>();
  assert.deepEqual([doc.ok, doc.verb, doc.service, doc.message], [true, 'start', 'beta', 'beta starting']);
  assert.equal(doc.status.state, 'ready');
  assert.equal(doc.status.pid, started.data.pid);
  assert.notEqual(started.data.pid, pid);
});

test('restart replaces the process and counts a restart', async () => {
  const since = lastSeq();
  const before = h.service('alpha');
  const res = await h.cli(['restart', 'alpha', '--json']);
  assert.equal(res.code, 0, res.stderr);
  await h.waitForEvent('orchestrator.command.restart', (e) => e.data.service === 'alpha', { since });
  const exit = await h.waitForEvent('orchestrator.service.exit', (e) => e.data.service === 'alpha', { since });
  const start = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'alpha', { since });
  assert.equal(exit.data.pid, before.pid);
  assert.ok(start.seq > exit.seq);
  const status = res.json<{ status: StatusEntry }>().status;
  assert.equal(status.state, 'ready');
  assert.equal(status.pid, start.data.pid);
  assert.equal(status.restarts, before.restarts + 1);
});

test('disable and enable: disabled until enabled again, then ready', async () => {
  const since = lastSeq();
  const off = await h.cli(['disable', 'beta']);
  assert.equal(off.code, 0, off.stderr);
  await h.waitForEvent('orchestrator.command.disable', (e) => e.data.service === 'beta' && e.data.requestedBy.component === 'cli', { since });
  const disabled = await h.waitForEvent('orchestrator.service.disabled', (e) => e.data.service === 'beta', { since });
  assert.match(off.stdout, /^beta \(disabled\)\s+disabled\s/m);

  const on = await h.cli(['enable', 'beta']);
  assert.equal(on.code, 0, on.stderr);
  await h.waitForEvent('orchestrator.command.enable', (e) => e.data.service === 'beta', { since });
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'beta', { since: disabled.seq });
  assert.equal(h.service('beta').state, 'ready');
});

test('--no-wait returns once the command is accepted', async () => {
  const since = lastSeq();
  const res = await h.cli(['restart', 'beta', '--no-wait']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stderr, /beta restarting/);
  await h.waitForEvent('orchestrator.command.restart', (e) => e.data.service === 'beta', { since });
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'beta', { since });
});

test('an unknown service exits 2; a command impossible in the current state exits 1', async () => {
  const [unknown, impossible] = await Promise.all([h.cli(['stop', 'gamma']), h.cli(['start', 'alpha'])]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /stop gamma refused: unknown service "gamma"; `nestor list` shows the registered services/);
  assert.equal(impossible.code, 1);
  assert.match(impossible.stderr, /start alpha refused: alpha is ready; stop it first or use restart/);
  for (const res of [unknown, impossible]) {
    assert.equal(res.stdout, '');
    assert.doesNotMatch(res.stderr, STACK_TRACE);
  }
});

test('a missing service id or an unknown flag is a usage error (exit 2)', async () => {
  const [missing, flag] = await Promise.all([h.cli(['restart']), h.cli(['restart', 'alpha', '--bogus'])]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing required argument 'id'/);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown option '--bogus'/);
});
