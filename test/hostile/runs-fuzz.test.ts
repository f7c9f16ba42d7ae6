// Arbitrary heartbeat and command bodies through the real API and over the bus, as the
// registration fuzz does for specs: every refusal is a 4xx (a code over the bus) whose message
// names a field, never a 500; a refused body leaves the run's record exactly as it was; and
// the node keeps taking valid requests afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApiClient } from '../../src/api/index.ts';
import { requestRuns } from '../../src/bus/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Run } from '../../src/runs/index.ts';
import { pathsOf, replaceAt } from './json-paths.ts';

const json = fc.jsonValue({ maxDepth: 3 });
const HEARTBEAT = { step: 5, checkpointVersion: 1, metrics: { loss: 0.5, acc: 0.9 }, runtimeStatus: 'training' };
const COMMAND = { id: 'c-base', type: 'tune', params: { lr: 0.1 } };
const FIELDS = ['body', 'step', 'checkpointVersion', 'metrics', 'runtimeStatus', 'id', 'type', 'params', 'heartbeat', 'command'];

/** Bodies around a valid one: arbitrary JSON, the known fields with arbitrary values, one part replaced, a key dropped or added. */
function bodies(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  // Every place inside the body (the bodies are two levels deep), not the body itself.
  const paths = pathsOf(base).slice(1);
  const keys = Object.keys(base);
  return fc.oneof(
    json,
    fc.dictionary(fc.string({ maxLength: 10 }), json, { maxKeys: 5 }),
    fc.record(Object.fromEntries(keys.map((k) => [k, json])), { requiredKeys: [] }),
    fc.tuple(fc.constantFrom(...paths), json).map(([path, v]) => replaceAt(base, path, v)),
    fc.tuple(fc.constantFrom(...keys)).map(([k]) => Object.fromEntries(Object.entries(base).filter(([key]) => key !== k))),
    fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), json).map(([k, v]) => ({ ...base, [k]: v })),
    fc.tuple(fc.constantFrom('step', 'checkpointVersion'), fc.oneof(fc.integer({ min: -10, max: 10 }), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2))).map(([k, v]) => ({ ...base, [k]: v })),
  );
}

function namesAField(message: string, sent: unknown): boolean {
  if (FIELDS.some((f) => message.includes(f))) return true;
  return sent !== null && typeof sent === 'object' && Object.keys(sent).some((k) => message.includes(JSON.stringify(k)));
}

test('arbitrary heartbeat and command bodies are refused with a 4xx naming a field and leave the run as it was', async (t) => {
  const h = await createHarness({ name: 'runs-fuzz' });
  t.after(() => h.close());
  const api = new ApiClient({ url: h.node.api.url });
  const run = await api.createRun({ experiment: 'fuzz', version: 'v1' });
  const base = `${h.node.api.url}/api/v1/runs/${run.id}`;
  const counts = { accepted: 0, refused: 0 };

  for (const [path, arb] of [
    ['heartbeat', bodies(HEARTBEAT)],
    ['commands', bodies(COMMAND)],
  ] as const) {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 9, arbitrary: arb.map((b) => JSON.stringify(b)) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }), async (text) => {
        const before = await api.run(run.id);
        const res = await fetch(`${base}/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text, signal: AbortSignal.timeout(10_000) });
        const answer = (await res.json()) as { error?: { code: string; message: string } };
        assert.ok(res.status < 500, `${path} ${text}: HTTP ${res.status} ${JSON.stringify(answer)}`);
        if (res.status < 300) {
          counts.accepted++;
          return;
        }
        counts.refused++;
        assert.ok(res.status >= 400 && answer.error !== undefined, `${path} ${text}: an error answer`);
        let sent: unknown = null;
        try {
          sent = JSON.parse(text);
        } catch {
          // not JSON: the message must name the body
        }
        assert.ok(namesAField(answer.error.message, sent), `${path} ${text}: "${answer.error.message}" names a field`);
        assert.deepEqual(await api.run(run.id), before, `${path} ${text}: the refused body changed nothing`);
      }),
      { numRuns: 150 },
    );
  }
  t.diagnostic(`bodies: ${JSON.stringify(counts)}`);
  assert.ok(counts.refused > 0 && counts.accepted > 0, `both outcomes were exercised: ${JSON.stringify(counts)}`);

  // The same bodies over the bus: refusals carry a code, never `internal`.
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('heartbeat', 'command', 'finish', 'attach', 'ack', 'next', 'create', 'list', 'get') as fc.Arbitrary<'heartbeat'>, json, json, async (op, body, id) => {
      const reply = await requestRuns(h.bus, op, { id: typeof id === 'string' ? id : run.id, commandId: typeof body === 'string' ? body : 'c-x', body });
      if (!reply.ok) assert.notEqual(reply.code, 'internal', `${op} ${JSON.stringify(body)}: ${reply.message}`);
    }),
    { numRuns: 150 },
  );

  // Still working: a valid heartbeat goes through, and the node answers its health check.
  const current = await api.run(run.id);
  if (current.state !== 'succeeded' && current.state !== 'failed' && current.state !== 'terminated') {
    const next: Run = await api.runHeartbeat(run.id, { step: current.step + 1, checkpointVersion: current.checkpointVersion });
    assert.equal(next.step, current.step + 1);
  }
  assert.equal((await fetch(`${h.node.api.url}/healthz`)).status, 200);
  const fresh = await api.createRun({ experiment: 'after-fuzz', version: 'v1' });
  assert.equal((await api.runHeartbeat(fresh.id, { step: 1, checkpointVersion: 0 })).state, 'running');
});
