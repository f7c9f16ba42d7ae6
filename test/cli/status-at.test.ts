// `nestor status --at SEQ|TIME`: the state as it was at a point of the event history, against a
// history made here (both ready, beta stopped, beta started again).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NestorEvent, Stored } from '../../src/events/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { reduceAll } from '../../src/state/index.ts';
import { selectStatusJson } from '../../src/views/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import { demoStack } from './helpers.ts';

let h: Harness;
let stopped: Stored<NestorEvent>;
let restarted: Stored<NestorEvent>;
before(async () => {
  h = await demoStack('cli-status-at');
  const since = h.lastSeq();
  await h.command('stop', 'beta');
  stopped = await h.waitForEvent('orchestrator.service.exit', (e) => e.data.service === 'beta', { since });
  await h.command('start', 'beta');
  restarted = await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'beta', { since: stopped.seq });
});
after(() => h.close());

const expectedAt = (keep: (e: Stored<NestorEvent>) => boolean): unknown => {
  const events: Stored<NestorEvent>[] = [];
  for (const e of h.events()) {
    if (!keep(e)) break;
    events.push(e);
  }
  return JSON.parse(JSON.stringify(selectStatusJson(reduceAll(events))));
};

test('--at SEQ shows the state through that sequence', async () => {
  const [then, now] = await Promise.all([h.cli(['status', '--at', String(stopped.seq), '--json']), h.cli(['status', '--json'])]);
  assert.equal(then.code, 0, then.stderr);
  const doc = then.json<StatusJson>();
  assert.equal(doc.seq, stopped.seq);
  assert.deepEqual(doc, expectedAt((e) => e.seq <= stopped.seq));
  assert.deepEqual(doc.services.map((s) => [s.id, s.state]), [
    ['alpha', 'ready'],
    ['beta', 'stopped'],
  ]);
  assert.equal(now.json<StatusJson>().services.find((s) => s.id === 'beta')?.state, 'ready');
  assert.ok(now.json<StatusJson>().seq >= restarted.seq);
});

test('--at TIME shows the state of the events stamped at or before that time', async () => {
  const ready = await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'alpha');
  const res = await h.cli(['status', '--at', ready.timestamp, '--json']);
  assert.equal(res.code, 0, res.stderr);
  const doc = res.json<StatusJson>();
  assert.deepEqual(doc, expectedAt((e) => Date.parse(e.timestamp) <= Date.parse(ready.timestamp)));
  assert.equal(doc.services.find((s) => s.id === 'alpha')?.state, 'ready');
  assert.notEqual(doc.services.find((s) => s.id === 'beta')?.state, 'ready');
});

test('--at in a table says which point it shows; before any service, there is none', async () => {
  const [table, empty] = await Promise.all([h.cli(['status', '--at', String(stopped.seq)]), h.cli(['status', '--at', '1'])]);
  assert.match(table.stderr, new RegExp(`state as of seq ${stopped.seq} \\(through seq ${stopped.seq}\\)`));
  assert.match(table.stdout, /^beta\s+stopped\s+-\s/m);
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout, 'no services registered\n');
});

test('an --at that is neither a sequence nor a time is a usage error', async () => {
  const res = await h.cli(['status', '--at', 'last tuesday']);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /--at "last tuesday": expected a stream sequence/);
});
