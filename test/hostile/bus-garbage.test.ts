// Arbitrary bytes and arbitrary envelopes published raw on orchestrator.> subjects (the stream
// stores whatever arrives there): no consumer crashes, every undecodable message is counted by
// its reason in each consumer (the harness's recorder and the API's live state, seen through
// /metrics), and the controller, which reads register subjects, keeps supervising.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { decode, emptyDecodeStats, EVENT_TYPES } from '../../src/events/index.ts';
import type { DecodeStats, SkipReason } from '../../src/events/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { isLiveChild } from '../chaos/procs.ts';
import { idleService } from './support.ts';

const REASONS: SkipReason[] = ['json', 'envelope', 'version', 'type', 'payload'];
const encoder = new TextEncoder();
const json = fc.jsonValue({ maxDepth: 3 });

function messages(node: string): fc.Arbitrary<{ subject: string; bytes: Uint8Array }> {
  const data = fc.oneof(
    json,
    fc.record(
      { service: fc.constantFrom('keeper', 'ghost', 'a.b', ''), pid: fc.integer(), spec: json, attempt: fc.integer(), code: json, node: fc.constantFrom(node, 'ghost') },
      { requiredKeys: [] },
    ),
  );
  const envelope = fc.record(
    {
      version: fc.oneof(fc.constant(1), fc.constant(2), fc.integer(), fc.double(), fc.string()),
      id: fc.oneof(fc.string(), fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/)),
      type: fc.oneof(fc.constantFrom(...EVENT_TYPES), fc.string()),
      timestamp: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string()),
      origin: fc.oneof(fc.record({ node: fc.constantFrom(node, 'ghost', ''), component: fc.string() }), json),
      data,
      extra: json,
    },
    { requiredKeys: [] },
  );
  // A well-formed current envelope of a known type: only the payload is arbitrary, so decoding
  // gets as far as the payload schemas (and some pass).
  const wellFormed = fc.record({
    version: fc.constant(1),
    id: fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
    type: fc.constantFrom(...EVENT_TYPES),
    timestamp: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    origin: fc.record({ node: fc.constantFrom(node, 'ghost'), component: fc.constantFrom('fuzz', 'controller') }),
    data,
  });
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 512 }),
    json.map((v) => encoder.encode(JSON.stringify(v) ?? '')),
    envelope.map((v) => encoder.encode(JSON.stringify(v))),
    wellFormed.map((v) => encoder.encode(JSON.stringify(v))),
  );
  const subject = fc.oneof(
    fc.constantFrom(
      `orchestrator.service.${node}.keeper.register`,
      `orchestrator.service.${node}.ghost.register`,
      `orchestrator.service.${node}.keeper.exit`,
      `orchestrator.command.${node}.keeper.restart`,
      `orchestrator.node.${node}.up`,
      'orchestrator.x',
    ),
    fc.stringMatching(/^[a-z0-9]{1,8}(\.[a-z0-9]{1,8}){0,3}$/).map((s) => `orchestrator.${s}`),
  );
  return fc.record({ subject, bytes });
}

function copy(stats: DecodeStats): DecodeStats {
  return { decoded: stats.decoded, skipped: { ...stats.skipped } };
}

/** The API's events_skipped_total by reason, read from /metrics. */
async function apiSkips(h: Harness): Promise<Record<string, number>> {
  const text = await (await fetch(`${h.node.api.url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^nestor_events_skipped_total\{reason="(\w+)"\} (\d+)$/gm)) out[m[1] as string] = Number(m[2]);
  return out;
}

test('arbitrary bytes and envelopes on orchestrator.> are skipped and counted; nothing crashes', async (t) => {
  await using h = await createHarness({ name: 'bus-garbage', specs: { keeper: idleService() } });
  t.after(() => h.close());
  const keeper = await h.waitForState('keeper', 'ready');
  let published = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(messages(h.config.node), { minLength: 1, maxLength: 25 }), async (batch) => {
      const before = copy(h.decodeStats());
      const want = emptyDecodeStats();
      for (const { subject, bytes } of batch) {
        const d = decode(bytes);
        if (d.ok) want.decoded++;
        else want.skipped[d.reason]++;
        h.bus.nc.publish(subject, bytes);
      }
      published += batch.length;
      // A valid event after the batch: once the recorder has it, it has processed the batch.
      const sentinel = await h.publish('orchestrator.node.broker', { node: h.config.node, status: 'connected', url: h.bus.natsUrl });
      await h.waitForEvent('orchestrator.node.broker', (e) => e.id === sentinel.event.id);
      const after = h.decodeStats();
      for (const r of REASONS) assert.equal(after.skipped[r] - before.skipped[r], want.skipped[r], `${r} skips`);
      // The controller may answer decodable registrations with events of its own.
      assert.ok(after.decoded - before.decoded >= want.decoded + 1, 'every decodable message was decoded');
    }),
    { numRuns: 40 },
  );
  const skipped = REASONS.reduce((n, r) => n + h.decodeStats().skipped[r], 0);
  t.diagnostic(`${published} raw messages, ${skipped} skipped: ${JSON.stringify(h.decodeStats())}`);
  assert.ok(skipped > 0);

  // Another consumer, the API's live state, counted the same skips (it has no event to wait on:
  // poll /metrics for a few seconds).
  const want = Object.fromEntries(REASONS.map((r) => [r, h.decodeStats().skipped[r]]));
  let seen: Record<string, number> = {};
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; await sleep(50)) {
    seen = await apiSkips(h);
    if (REASONS.every((r) => seen[r] === want[r])) break;
  }
  assert.deepEqual(seen, want, 'the API counted the same skips');
  const services = (await (await fetch(`${h.node.api.url}/api/v1/services`)).json()) as { services: { id: string }[] };
  assert.ok(services.services.some((s) => s.id === 'keeper'));

  // The controller still supervises: same process, commands answered, registrations taken.
  assert.equal(h.node.controller.runningPids().keeper, keeper.pid);
  assert.ok(isLiveChild(keeper.pid as number));
  assert.deepEqual(await h.command('restart', 'keeper'), { ok: true, message: 'keeper restarting' });
  await h.register({ services: { keeper: idleService(), later: idleService() } });
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'later');
});
