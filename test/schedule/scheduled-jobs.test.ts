// Scheduled oneshots on a real node with real processes: runs repeat on `every`, each with its
// run event and an exit carrying the code and duration; a run that outlasts the interval makes
// the next one skipped; runAtStart runs at once; status --json tells the next run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from '../../src/harness/index.ts';
import type { StatusJson } from '../../src/views/index.ts';

const sh = (script: string, schedule: Record<string, unknown>) => ({
  kind: 'oneshot',
  process: { command: '/bin/sh', args: ['-c', script] },
  schedule,
});

test('every 1s: the job runs again and again, each run an event with its exit code, and rests completed in between', async () => {
  await using h = await createHarness({ name: 'sched-every', specs: { tick: sh('exit 0', { every: '1s' }), fail: sh('exit 3', { every: '1s' }) } });
  // Before its first time the job waits, stopped, with its next run planned.
  const first = await h.waitForEvent('orchestrator.service.schedule.next', (e) => e.data.service === 'tick');
  assert.equal(first.data.schedule, 'every 1s');
  assert.ok(first.data.nextRunAt !== null);
  await h.waitUntil('three runs of tick', () => h.events().filter((e) => e.type === 'orchestrator.service.exit' && e.data.service === 'tick').length >= 3, {
    timeoutMs: 20_000,
  });
  const runs = h.events().filter((e) => e.type === 'orchestrator.service.schedule.run' && e.data.service === 'tick');
  assert.ok(runs.length >= 3);
  assert.ok(runs.every((r) => r.type === 'orchestrator.service.schedule.run' && r.data.trigger === 'schedule'));
  const exits = h.events().flatMap((e) => (e.type === 'orchestrator.service.exit' && e.data.service === 'tick' ? [e.data] : []));
  assert.ok(exits.every((x) => x.code === 0 && x.runtimeMs >= 0 && x.restart === false && x.failed === false));
  // Never restarted by the restart policy: every start follows a run event.
  const starts = h.events().filter((e) => e.type === 'orchestrator.service.starting' && e.data.service === 'tick');
  assert.ok(starts.length <= runs.length);
  assert.equal(h.events().some((e) => e.type === 'orchestrator.service.restart.scheduled'), false);

  // A failing run reports its code; the schedule goes on after it.
  await h.waitUntil('two failed runs', () => h.events().filter((e) => e.type === 'orchestrator.service.exit' && e.data.service === 'fail').length >= 2, {
    timeoutMs: 20_000,
  });
  const failExits = h.events().flatMap((e) => (e.type === 'orchestrator.service.exit' && e.data.service === 'fail' ? [e.data] : []));
  assert.ok(failExits.every((x) => x.code === 3 && x.failed === true));
  await h.waitForState('tick', 'completed');
  assert.equal(h.service('tick').schedule, 'every 1s');
});

test('overlap skip: a run that outlasts the interval makes the next time skipped, with an event saying so', async () => {
  await using h = await createHarness({ name: 'sched-skip', specs: { slow: sh('sleep 2.5', { every: '1s' }) } });
  const skipped = await h.waitForEvent('orchestrator.service.schedule.skipped', (e) => e.data.service === 'slow', { timeoutMs: 20_000 });
  assert.equal(skipped.data.overlap, 'skip');
  assert.equal(skipped.data.reason, 'the previous run still runs');
  // Only one process at a time: no second start before the first run's exit.
  const exit = await h.waitForEvent('orchestrator.service.exit', (e) => e.data.service === 'slow', { timeoutMs: 20_000 });
  const startsBefore = h.events().filter((e) => e.type === 'orchestrator.service.start' && e.seq < exit.seq);
  assert.equal(startsBefore.length, 1);
  assert.equal(exit.data.code, 0);
  assert.ok(exit.data.runtimeMs >= 2000, 'the exit carries the run duration');
});

test('runAtStart: the job runs once when the stack comes up, then follows its schedule', async () => {
  await using h = await createHarness({ name: 'sched-start', specs: { boot: sh('exit 0', { cron: '0 0 1 1 *', timezone: 'UTC', runAtStart: true }) } });
  const run = await h.waitForEvent('orchestrator.service.schedule.run', (e) => e.data.service === 'boot');
  assert.equal(run.data.trigger, 'start');
  await h.waitForState('boot', 'completed', { timeoutMs: 20_000 });
  // The next run is the next 1 January, 00:00 UTC.
  const year = new Date().getUTCFullYear() + 1;
  assert.equal(h.service('boot').nextRunAt, `${year}-01-01T00:00:00.000Z`);

  const res = await h.cli(['status', '--json']);
  assert.equal(res.code, 0, res.stderr);
  const doc = JSON.parse(res.stdout) as StatusJson;
  const entry = doc.services.find((s) => s.id === 'boot');
  assert.equal(entry?.state, 'completed');
  assert.equal(entry?.nextRunAt, `${year}-01-01T00:00:00.000Z`);
  assert.equal(entry?.schedule, 'cron 0 0 1 1 * (UTC)');

  const table = await h.cli(['status']);
  assert.match(table.stdout, /NEXT/);
  assert.match(table.stdout, /boot\s+completed.*next \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(in [^)]+\)/);
});
