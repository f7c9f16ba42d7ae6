// The heartbeat's fast check against its schema: on every generated body, what the fast check
// takes the schema takes too, with the same result, so the fast path never lets through what
// the schema would refuse; and the bodies jobs really send take the fast path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heartbeatBySchema, plainHeartbeat } from '../../src/runs/core/validate.ts';
import { mulberry32 } from '../chaos/prng.ts';

const VALUES: unknown[] = [
  0, 1, 7, -1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 1e300, -0,
  '1', '', 'x'.repeat(200), 'x'.repeat(201), null, true, false, [], [1], {}, { loss: 0.5 },
  { loss: 'low' }, { ['m'.repeat(100)]: 1 }, { ['m'.repeat(101)]: 1 }, { a: 1, b: -2.5, c: 0 }, { a: null }, { a: [1] },
];
const FIELDS = ['step', 'checkpointVersion', 'metrics', 'runtimeStatus'] as const;

function body(next: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const roll = next();
  if (roll < 0.03) return pick([null, [], 'heartbeat', 42]);
  const b: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const r = next();
    // Mostly well-formed values, so both accepted and refused bodies are common.
    if (r < 0.15) continue;
    if (r < 0.6) b[f] = f === 'metrics' ? { loss: next(), lr: 0.01 } : f === 'runtimeStatus' ? 'training' : Math.floor(next() * 1000);
    else b[f] = pick(VALUES);
  }
  if (next() < 0.05) b[pick(['checkpoint_version', 'extra', '__proto__', 'constructor'])] = 1;
  // As a body arrives: through JSON.
  return JSON.parse(JSON.stringify(b)) as unknown;
}

test('the fast heartbeat check accepts only what the schema accepts, with the same result', () => {
  // Seeded: the same bodies on every run, so a failure can be replayed.
  const next = mulberry32(20261126);
  let fast = 0;
  let refusedBySchema = 0;
  for (let i = 0; i < 20_000; i++) {
    const b = body(next);
    const quick = plainHeartbeat(b);
    let reference: unknown;
    try {
      reference = heartbeatBySchema(b);
    } catch {
      refusedBySchema++;
      assert.equal(quick, null, `the fast check took ${JSON.stringify(b)}, which the schema refuses`);
      continue;
    }
    if (quick !== null) {
      fast++;
      assert.deepEqual(quick, reference, `different results for ${JSON.stringify(b)}`);
    }
  }
  // Both kinds were generated, and the fast path was taken (a check that always says null would not be).
  assert.ok(refusedBySchema > 1000, `only ${refusedBySchema} refused bodies generated`);
  assert.ok(fast > 1000, `only ${fast} bodies took the fast path`);
});

test('heartbeats as the SDK and the demo job send them take the fast path', () => {
  for (const b of [
    { step: 1, checkpointVersion: 0 },
    { step: 12, checkpointVersion: 3, metrics: { loss: 0.25, lr: 0.01 } },
    { step: 12, checkpointVersion: 3, metrics: {}, runtimeStatus: 'epoch 2' },
  ]) {
    assert.deepEqual(plainHeartbeat(b), b);
  }
});
