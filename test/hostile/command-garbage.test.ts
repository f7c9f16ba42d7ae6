// Raw command requests on nestor.rpc.<node>.command.<verb>, the wire a CLI or UI uses: garbage
// bodies, unknown verbs, unknown services and impossible transitions all get a clear refusal;
// arbitrary requests always get a well-formed answer, and every accepted one is on record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { COMMAND_VERBS, commandRequestSubject } from '../../src/events/index.ts';
import type { EventType } from '../../src/events/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { getService } from '../../src/state/index.ts';
import { idleService, nodeService } from './support.ts';

async function raw(h: Harness, verb: string, body: string | Uint8Array): Promise<unknown> {
  const reply = await h.bus.nc.request(commandRequestSubject(h.config.node, verb), body, { timeout: 5_000 });
  return JSON.parse(new TextDecoder().decode(reply.data));
}

const NEEDS_SERVICE = { ok: false, code: 'bad-request', message: 'command body needs "service": a service id' };
const NOT_JSON = { ok: false, code: 'bad-request', message: 'command body is not JSON; expected {"service": "<id>"}' };

test('garbage command requests are refused with a clear reply and change nothing', async (t) => {
  await using h = await createHarness({ name: 'command-garbage', specs: { keeper: idleService(), once: nodeService('', [], { kind: 'oneshot' }) } });
  t.after(() => h.close());
  const keeper = await h.waitForState('keeper', 'ready');
  await h.waitForState('once', 'completed');
  const seq = h.lastSeq();

  assert.deepEqual(await raw(h, 'restart', 'not json'), NOT_JSON);
  assert.deepEqual(await raw(h, 'restart', ''), NOT_JSON);
  assert.deepEqual(await raw(h, 'restart', new Uint8Array([0xff, 0xfe, 0x00, 0x7b])), NOT_JSON);
  for (const body of ['null', '[]', '{}', '42', '"keeper"', '{"service": 5}', '{"service": ""}', '{"service": ["keeper"]}', '{"Service": "keeper"}']) {
    assert.deepEqual(await raw(h, 'restart', body), NEEDS_SERVICE, body);
  }
  assert.deepEqual(await raw(h, 'explode', '{"service":"keeper"}'), {
    ok: false,
    code: 'bad-request',
    message: 'unknown command "explode"; expected one of enable, disable, start, stop, restart, forget',
  });
  for (const service of ['nope', 'constructor', '__proto__', 'toString', 'a.b', '../keeper', 'KEEPER']) {
    assert.deepEqual(await raw(h, 'stop', JSON.stringify({ service })), { ok: false, code: 'unknown-service', message: `unknown service "${service}"` });
  }
  assert.deepEqual(await raw(h, 'start', '{"service":"keeper"}'), { ok: false, code: 'invalid-transition', message: 'keeper is ready; stop it first or use restart' });
  assert.deepEqual(await raw(h, 'stop', '{"service":"once"}'), { ok: false, code: 'invalid-transition', message: 'once is completed; nothing to stop' });

  // Nothing was recorded and nothing moved.
  assert.deepEqual(h.events().filter((e) => e.seq > seq && e.type.startsWith('orchestrator.command.')), []);
  assert.equal(h.node.controller.runningPids().keeper, keeper.pid);
  assert.equal(h.service('keeper').state, 'ready');
});

test('arbitrary command requests always get a well-formed answer, and accepted ones are recorded', async (t) => {
  await using h = await createHarness({ name: 'command-fuzz', specs: { keeper: idleService() } });
  t.after(() => h.close());
  await h.waitForState('keeper', 'ready');
  const verb = fc.oneof({ arbitrary: fc.constantFrom(...COMMAND_VERBS), weight: 4 }, { arbitrary: fc.stringMatching(/^[a-z]{1,10}$/), weight: 1 });
  // requestedBy is well-formed or absent here; a malformed one is refused as a bad request
  // (test/hostile/regressions.test.ts).
  const requester = fc.option(fc.record({ node: fc.string(), component: fc.string(), user: fc.string() }, { requiredKeys: ['node', 'component'] }), { nil: undefined });
  const service = fc.oneof(
    { arbitrary: fc.constant('keeper'), weight: 4 },
    { arbitrary: fc.constantFrom('nope', 'constructor', '__proto__', ''), weight: 1 },
    { arbitrary: fc.oneof(fc.string(), fc.integer(), fc.constant(null)), weight: 1 },
  );
  const body = fc.oneof(
    { arbitrary: fc.record({ service, requestedBy: requester }, { requiredKeys: ['service'] }).map((b) => JSON.stringify(b)), weight: 4 },
    { arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? ''), weight: 1 },
    { arbitrary: fc.string(), weight: 1 },
  );
  const counts: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(verb, body, async (v, b) => {
      const since = h.lastSeq();
      const reply = (await raw(h, v, b)) as { ok: unknown; code?: unknown; message?: unknown };
      assert.equal(typeof reply.ok, 'boolean');
      assert.ok(typeof reply.message === 'string' && reply.message.length > 0, 'a message for people');
      const key = reply.ok ? `accepted ${v}` : String(reply.code);
      counts[key] = (counts[key] ?? 0) + 1;
      if (!reply.ok) {
        assert.ok(['bad-request', 'unknown-service', 'invalid-transition', 'shutting-down'].includes(String(reply.code)), `code ${String(reply.code)}`);
        return;
      }
      // The reply is sent once the command event is stored, so it is on record now or soon. Only
      // forget is accepted for a service the controller does not know (a stale record).
      const target = (JSON.parse(b) as { service: string }).service;
      const type = `orchestrator.command.${v}` as EventType;
      await h.waitForEvent(type, (e) => (e.data as { service: string }).service === target, { since });
      // A forgotten keeper is gone from the controller too: register it again, as a user would.
      if (v === 'forget' && target === 'keeper') await h.register({ services: { keeper: idleService() } });
    }),
    { numRuns: 150 },
  );
  t.diagnostic(`replies: ${JSON.stringify(counts)}`);
  assert.ok(Object.keys(counts).some((k) => k.startsWith('accepted')), 'some commands were accepted');

  // Whatever the fuzz left it in, the service comes back on request. The recorded state may lag
  // the controller (a restart's start is still on its way), so a refusal because it is already
  // coming up is fine; one because it is stopping means: wait, then start it.
  assert.equal((await h.command('enable', 'keeper')).ok, true);
  for (let tries = 0; tries < 5; tries++) {
    const reply = await h.command('start', 'keeper');
    if (reply.ok || /is (starting|running|ready)/.test(reply.message)) break;
    assert.match(reply.message, /is stopping/, `start refused: ${JSON.stringify(reply)}`);
    await settle(h, 'keeper');
  }
  await h.waitForState('keeper', 'ready');
});

/** Waits until the recorder has everything stored so far and `id` is not between states. */
async function settle(h: Harness, id: string): Promise<string> {
  const last = (await h.bus.jsm.streams.info(h.bus.streamName)).state.last_seq;
  const st = await h.waitUntil(`${id} settled after seq ${last}`, (s) => h.lastSeq() >= last && !['pending', 'starting', 'stopping'].includes(getService(s, id)?.state ?? ''));
  return getService(st, id)?.state ?? 'unregistered';
}
