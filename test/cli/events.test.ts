// `nestor events`: the stored history as envelopes plus "seq" (the same events the harness
// recorded), filtered by type, service and starting point, and --follow for new ones.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NestorEvent, Stored } from '../../src/events/index.ts';
import { requestRuns } from '../../src/bus/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import type { Run } from '../../src/runs/index.ts';
import { demoStack } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await demoStack('cli-events');
});
after(() => h.close());

const json = (events: readonly Stored<NestorEvent>[]): unknown[] => JSON.parse(JSON.stringify(events)) as unknown[];

test('events --json prints every stored event as its envelope plus seq, in order', async () => {
  const res = await h.cli(['events', '--json']);
  assert.equal(res.code, 0, res.stderr);
  const printed = res.jsonLines<Stored<NestorEvent>>();
  const last = printed.at(-1)?.seq ?? 0;
  await h.waitUntil(`recorder at ${last}`, (s) => s.seq >= last);
  assert.deepEqual(printed, json(h.events().filter((e) => e.seq <= last)));
  assert.deepEqual(
    printed.map((e) => e.seq),
    printed.map((_e, i) => i + 1),
  );
});

test('events prints one readable line per event', async () => {
  const res = await h.cli(['events']);
  assert.equal(res.code, 0, res.stderr);
  const ready = await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'alpha');
  const line = res.stdout.split('\n').find((l) => l.startsWith(`#${ready.seq} `));
  assert.match(line ?? '', new RegExp(`^#${ready.seq}\\s+\\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\s+service\\.ready\\s+alpha\\s+pid ${ready.data.pid} after `));
  assert.match(res.stdout, /^#1\s+\S+\s+node\.up\s+node \S+\s+pid \d+/m);
});

test('--type, --service and --since select events; they combine', async () => {
  const [ready, beta, byType, since] = await Promise.all([
    h.cli(['events', '--json', '--type', 'service.ready']),
    h.cli(['events', '--json', '--service', 'beta']),
    h.cli(['events', '--json', '--type', 'orchestrator.service.start', '--service', 'alpha']),
    h.cli(['events', '--json', '--since', '3']),
  ]);
  const types = (r: typeof ready): string[] => r.jsonLines<Stored<NestorEvent>>().map((e) => e.type);
  assert.deepEqual(types(ready), ['orchestrator.service.ready', 'orchestrator.service.ready']);
  const betaEvents = beta.jsonLines<Stored<NestorEvent>>();
  assert.ok(betaEvents.length > 3);
  assert.ok(betaEvents.every((e) => 'service' in e.data && e.data.service === 'beta'));
  assert.deepEqual(
    byType.jsonLines<Stored<NestorEvent>>().map((e) => [e.type, 'service' in e.data ? e.data.service : null]),
    [['orchestrator.service.start', 'alpha']],
  );
  assert.equal(since.jsonLines<Stored<NestorEvent>>()[0]?.seq, 3);
});

test('--since TIME starts at the first event stamped at or after it', async () => {
  const ready = await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'alpha');
  const res = await h.cli(['events', '--json', '--since', ready.timestamp]);
  const printed = res.jsonLines<Stored<NestorEvent>>();
  assert.ok(printed.length > 0);
  assert.ok(printed.every((e) => Date.parse(e.timestamp) >= Date.parse(ready.timestamp)));
  const expected = h.events().filter((e) => Date.parse(e.timestamp) >= Date.parse(ready.timestamp) && e.seq <= (printed.at(-1)?.seq ?? 0));
  assert.deepEqual(printed.map((e) => e.seq), expected.map((e) => e.seq));
});

test('--follow prints the history, then new events as they happen', async () => {
  const session = h.startCli(['events', '--json', '--follow', '--service', 'beta']);
  await session.waitForLine(/"orchestrator\.service\.ready"/);
  const since = h.lastSeq();
  const reply = await h.command('restart', 'beta');
  assert.equal(reply.ok, true);
  const restarted = await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'beta', { since });
  const line = await session.waitForLine((l) => l.includes(`"seq":${restarted.seq}`));
  assert.deepEqual(JSON.parse(line), json([restarted])[0]);
  const res = await session.interrupt();
  assert.equal(res.code, 0, res.stderr);
});

test('a bad --type, --since or --service is a usage error naming the value', async () => {
  const [type, since, service] = await Promise.all([
    h.cli(['events', '--type', 'service.redy']),
    h.cli(['events', '--since', 'yesterday']),
    h.cli(['events', '--service', 'a.b']),
  ]);
  assert.equal(type.code, 2);
  assert.match(type.stderr, /--type "service\.redy" is not an event type/);
  assert.equal(since.code, 2);
  assert.match(since.stderr, /--since "yesterday": expected a stream sequence \(42\), an RFC 3339 time/);
  assert.equal(service.code, 2);
  assert.match(service.stderr, /--service "a\.b": expected a service id/);
});

test('--service names a service only: a run whose id is that name is not shown', async () => {
  const created = await requestRuns<Run>(h.bus, 'create', { id: undefined, body: { experiment: 'same-name', version: '1', id: 'beta' }, by: 'test' });
  assert.ok(created.ok, created.ok ? '' : created.message);
  const run = await h.waitForEvent('orchestrator.run.created', (e) => e.data.run.id === 'beta');
  const res = await h.cli(['events', '--json', '--service', 'beta']);
  assert.equal(res.code, 0, res.stderr);
  const printed = res.jsonLines<Stored<NestorEvent>>();
  assert.ok(printed.length > 3);
  assert.ok(!printed.some((e) => e.seq === run.seq), 'the run named beta is not an event of service beta');
  assert.ok(printed.every((e) => 'service' in e.data && e.data.service === 'beta'));
});
