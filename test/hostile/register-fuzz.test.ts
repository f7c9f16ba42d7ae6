// Arbitrary specs through the real registration path (the SDK publishing register events to a
// running controller), extending test/spec/never-throws.test.ts, which fuzzes the validator
// alone: every invalid spec comes back as a register.rejected event whose errors name fields
// under services.<id>, every valid one is taken on, and all the while the controller keeps
// supervising the service it already had and accepts new ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHarness } from '../../src/harness/index.ts';
import { registerSpec } from '../../src/sdk/index.ts';
import { validateService } from '../../src/spec/index.ts';
import { idleService, tempDir } from './support.ts';
import { pathsOf, replaceAt } from './json-paths.ts';
import type { Key } from './json-paths.ts';

// A valid one-shot touching most fields; the fuzz replaces one part of it at a time.
const base = {
  displayName: 'Fuzz',
  kind: 'oneshot',
  process: {
    command: '/bin/true',
    args: ['{ports.primary}'],
    env: { FUZZ: '1' },
    restartPolicy: 'never',
    ensure: [{ type: 'mkdir', path: '{dirs.data}/made' }],
  },
  portStrategy: 'random',
  ports: { primary: { protocol: 'tcp' } },
  logging: { maxSize: '64KB', keep: 1 },
  backoff: { initial: '10ms', multiplier: 2, max: '50ms' },
  maxRestarts: 1,
  profiles: ['default'],
};

function leafAt(path: Key[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<Key, unknown>)[key], base);
}

const basePaths = pathsOf(base).filter((p) => p.length > 0);
const leafPaths = basePaths.filter((p) => ['string', 'number'].includes(typeof leafAt(p)));
const json = fc.jsonValue({ maxDepth: 3 });
const specs = fc.oneof(
  // Anything object-shaped (the register payload requires an object).
  fc.dictionary(fc.string({ maxLength: 12 }), json, { maxKeys: 6 }),
  // The known fields, each with an arbitrary value.
  fc.record(
    { process: json, ports: json, health: json, liveness: json, dependencies: json, backoff: json, maxRestarts: json, logging: json, kind: json, portStrategy: json },
    { requiredKeys: [] },
  ),
  // The valid spec with one part replaced by arbitrary JSON.
  fc.tuple(fc.constantFrom(...basePaths), json).map(([path, v]) => replaceAt(base, path, v)),
  // The valid spec with one leaf replaced by another value of its type (often still valid).
  fc.tuple(fc.constantFrom(...leafPaths), fc.string({ maxLength: 20 }), fc.integer({ min: -5, max: 70_000 })).map(([path, str, int]) =>
    replaceAt(base, path, typeof leafAt(path) === 'number' ? int : str),
  ),
);

test('arbitrary specs registered through the SDK are rejected field by field; the controller keeps supervising', async (t) => {
  // Accepted specs really run: in a throwaway project dir, whatever a mutation produces.
  const project = tempDir(t, 'register-fuzz');
  await using h = await createHarness({ name: 'register-fuzz', cwd: project, specs: { keeper: idleService() } });
  t.after(() => h.close());
  const keeper = await h.waitForState('keeper', 'ready');
  let n = 0;
  const outcomes = { accepted: 0, rejected: 0 };
  await fc.assert(
    fc.asyncProperty(specs, async (raw) => {
      const id = `fuzz${++n}`;
      const spec = { ...(raw as Record<string, unknown>), id };
      const expected = validateService(id, spec);
      const reg = await registerSpec(h.bus.nc, spec, { node: h.config.node, component: 'test' });
      if (expected.ok) {
        // Taken on: the controller files it as pending before anything else.
        await h.waitForEvent('orchestrator.service.pending', (e) => e.data.service === id, { since: reg.seq });
        outcomes.accepted++;
        return;
      }
      const rejected = await h.waitForEvent('orchestrator.service.register.rejected', (e) => e.data.service === id, { since: reg.seq });
      assert.deepEqual(rejected.data.errors, expected.errors, 'the controller reports what the validator finds');
      assert.ok(rejected.data.errors.length > 0);
      for (const e of rejected.data.errors) {
        const field = e.path === `services.${id}` || e.path.startsWith(`services.${id}.`) || e.path.startsWith(`services.${id}[`);
        assert.ok(field, `names a field of ${id}: ${e.path}`);
        assert.ok(e.expected.length > 0, `says what was expected at ${e.path}`);
      }
      outcomes.rejected++;
    }),
    { numRuns: 200 },
  );
  t.diagnostic(`registrations: ${JSON.stringify(outcomes)}`);
  assert.ok(outcomes.rejected > 0 && outcomes.accepted > 0, `both outcomes were exercised: ${JSON.stringify(outcomes)}`);

  // Still supervising: the first service kept its process, a new one starts, commands work.
  assert.equal(h.service('keeper').state, 'ready');
  assert.equal(h.node.controller.runningPids().keeper, keeper.pid);
  await h.register({ services: { keeper: idleService(), after: idleService() } });
  await h.waitForState('after', 'ready');
  assert.deepEqual(await h.command('restart', 'keeper'), { ok: true, message: 'keeper restarting' });
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'keeper' && e.data.pid !== keeper.pid);
});
