// The compiled payload check that lets replay skip zod: it must say yes exactly when zod accepts a
// payload and returns it unchanged, for every event type, on valid samples and on every kind of
// damage a stored event could carry; and what decode() returns must not depend on which path ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, promisify } from 'node:util';
import * as z from 'zod';
import { EVENT_TYPES, decode } from '../../src/events/index.ts';
import { compileCheck, isFullyCompiled } from '../../src/events/payload-check.ts';
import { payloadSchemas } from '../../src/events/payloads.ts';
import { sampleEvent, samplePayloads } from './samples.ts';

const REPLACEMENTS: unknown[] = [null, undefined, '', 'x', 'a.b', 0, -1, 1.5, 2 ** 60, 70000, Number.NaN, true, [], ['x'], [1], {}, { a: 1 }];

/** Every value reachable in `v` with a setter that returns a copy of the root with it replaced. */
function* places(v: unknown, set: (x: unknown) => unknown = (x) => x): Generator<(x: unknown) => unknown> {
  yield set;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield* places(v[i], (x) => set(v.map((e, j) => (j === i ? x : e))));
  } else if (typeof v === 'object' && v !== null) {
    for (const key of Object.keys(v)) yield* places((v as Record<string, unknown>)[key], (x) => set({ ...v, [key]: x }));
  }
}

/** Damaged copies of a payload: each place replaced by a value of another kind, then the key edits below. */
function* damaged(payload: unknown): Generator<unknown> {
  for (const set of places(payload)) {
    for (const x of REPLACEMENTS) yield set(x);
  }
  for (const set of places(payload)) {
    yield set(JSON.parse('{"__proto__": 1}'));
  }
  yield* keyEdits(payload, (x) => x);
}

/** Each object in `v` with an unknown key added, with an own `__proto__` key added, and without each of its keys. */
function* keyEdits(v: unknown, set: (x: unknown) => unknown): Generator<unknown> {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield* keyEdits(v[i], (x) => set(v.map((e, j) => (j === i ? x : e))));
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  const o = v as Record<string, unknown>;
  yield set({ ...o, unknownKey: 1 });
  yield set(JSON.parse(JSON.stringify({ ...o, __marker__: 1 }).replace('"__marker__"', '"__proto__"')));
  for (const key of Object.keys(o)) {
    const { [key]: _gone, ...rest } = o;
    yield set(rest);
    yield* keyEdits(o[key], (x) => set({ ...o, [key]: x }));
  }
}

test('every payload schema compiles completely, so no event type falls back to zod on replay', () => {
  const partial = EVENT_TYPES.filter((type) => !isFullyCompiled(payloadSchemas[type]));
  assert.deepEqual(partial, []);
});

test('the check says yes exactly when zod accepts a payload and returns it unchanged, for every type and damage', () => {
  let yes = 0;
  let no = 0;
  for (const type of EVENT_TYPES) {
    const schema = payloadSchemas[type] as z.ZodType;
    const check = compileCheck(schema);
    for (const value of [samplePayloads[type], ...damaged(samplePayloads[type])]) {
      const zod = schema.safeParse(value);
      const unchanged = zod.success && isDeepStrictEqual(zod.data, value);
      assert.equal(check(value), unchanged, `${type}: ${JSON.stringify(value)} (zod: ${zod.success ? (unchanged ? 'unchanged' : 'changed') : 'rejected'})`);
      if (unchanged) yes++;
      else no++;
    }
  }
  assert.ok(yes >= EVENT_TYPES.length && no > yes, `a meaningful mix (${yes} yes, ${no} no)`);
});

test('a schema part the compiler does not know makes the check answer no, and zod still decides', () => {
  const schema = z.object({ at: z.string().datetime(), n: z.number() });
  assert.equal(isFullyCompiled(schema), false);
  assert.equal(compileCheck(schema)({ at: '2026-01-01T00:00:00Z', n: 1 }), false);
  // Parts that change what zod returns: coercion, a trimming string, a transform.
  for (const changing of [z.object({ n: z.coerce.number() }), z.object({ s: z.string().trim() }), z.object({ s: z.string().transform((v) => v) })]) {
    assert.equal(isFullyCompiled(changing), false);
  }
  const known = z.object({ s: z.string().min(2).max(3), n: z.number().gt(0).lt(5), r: z.record(z.string(), z.boolean()) });
  const check = compileCheck(known);
  assert.equal(check({ s: 'ab', n: 4.5, r: { a: true } }), true);
  assert.equal(check({ s: 'a', n: 4.5, r: {} }), false);
  assert.equal(check({ s: 'abcd', n: 4.5, r: {} }), false);
  assert.equal(check({ s: 'ab', n: 0, r: {} }), false);
  assert.equal(check({ s: 'ab', n: 5, r: {} }), false);
  assert.equal(check({ s: 'ab', n: 1, r: { a: 1 } }), false);
});

test('decode gives the same event whether the fast check or zod judged it', () => {
  for (const type of EVENT_TYPES) {
    const event = sampleEvent(type);
    const fromBytes = decode(new TextEncoder().encode(JSON.stringify(event)));
    // An object the caller passes in always goes through zod (it is copied, never shared).
    const fromObject = decode(JSON.parse(JSON.stringify(event)));
    assert.ok(fromBytes.ok && fromObject.ok, type);
    assert.deepEqual(fromBytes.event, fromObject.event, type);
  }
  const withExtra = { ...sampleEvent('orchestrator.service.start'), data: { ...sampleEvent('orchestrator.service.start').data, cgroup: '/x' } };
  const stripped = decode(JSON.stringify(withExtra));
  assert.ok(stripped.ok);
  assert.equal('cgroup' in stripped.event.data, false, 'an unknown payload key is stripped as before');
  const filled = decode(JSON.stringify({ ...sampleEvent('orchestrator.caddy.config.applied'), data: { node: 'n1', routes: 0, upstreams: 0 } }));
  assert.ok(filled.ok);
  assert.deepEqual((filled.event.data as { table: unknown }).table, [], "zod's default is still filled in");
});

test('a node that refuses code generation from strings still decodes, through zod', async () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const script = [
    "const { decode, encode } = await import('./src/events/index.ts');",
    "const { sampleEvent } = await import('./test/events/samples.ts');",
    "const good = decode(encode(sampleEvent('orchestrator.service.start')));",
    "const bad = decode(JSON.stringify({ ...sampleEvent('orchestrator.service.start'), data: { service: 'api', pid: 'x' } }));",
    'console.log(JSON.stringify([good.ok, bad.ok, bad.ok ? null : bad.reason]));',
  ].join('\n');
  const { stdout } = await promisify(execFile)(process.execPath, ['--disallow-code-generation-from-strings', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root });
  assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1) as string), [true, false, 'payload']);
});
