// Services registering their own spec through src/sdk: the demo's --register flag and the SDK
// calls themselves, against a real bus from the harness.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { SdkError, canonicalJson, connectFromEnv, readServiceEnv, registerSpec, specHash } from '../../src/sdk/index.ts';
import { PROJECT_DIR, buildDemos, removeDir, startDemo } from './helpers.ts';

let bins: { alpha: string; beta: string; depDir: string };
let h: Harness;
before(async () => {
  [bins, h] = await Promise.all([buildDemos(), createHarness({ name: 'self-register' })]);
});
after(async () => {
  await Promise.all([removeDir(bins.depDir), h.close()]);
});

describe('demo --register', () => {
  test('alpha publishes its service.json as a register event, then runs', async (t) => {
    const alpha = startDemo(t, bins.alpha, ['--register', '--oneshot'], { NESTOR_NATS_URL: h.bus.natsUrl, NESTOR_NODE: 'demo-node' });
    assert.deepEqual(await alpha.exited, { code: 0, signal: null }, alpha.stderr.join('\n'));
    assert.match(alpha.stdout.join('\n'), /alpha registered its spec: orchestrator\.service\.demo-node\.alpha\.register seq=\d+/);

    const spec = JSON.parse(await readFile(join(PROJECT_DIR, 'demo/alpha/service.json'), 'utf8')) as Record<string, unknown>;
    const event = await h.waitForEvent('orchestrator.service.register', (e) => e.data.service === 'alpha' && e.origin.node === 'demo-node');
    assert.deepEqual(event.origin, { node: 'demo-node', component: 'sdk' });
    assert.equal(event.data.source, 'demo:alpha');
    assert.equal(event.data.specVersion, 1);
    assert.equal(event.data.specHash, specHash(spec));
    assert.deepEqual(event.data.spec, spec);
  });

  test('without NESTOR_NATS_URL, --register exits 1 and says why', async (t) => {
    const beta = startDemo(t, bins.beta, ['--register', '--oneshot'], { NESTOR_NODE: 'demo-node' });
    assert.equal((await beta.exited).code, 1);
    assert.match(beta.stderr.join('\n'), /registration failed: .*NESTOR_NATS_URL is not set/);
  });
});

describe('sdk', () => {
  test('registerSpec stores the event on the service subject with the given version', async (t) => {
    const nc = await connectFromEnv({ env: { NESTOR_NATS_URL: h.bus.natsUrl } });
    t.after(() => nc.close());
    const spec = { id: 'gamma', process: { command: 'true' } };
    const reg = await registerSpec(nc, spec, { node: 'n2', specVersion: 3, env: {} });
    assert.equal(reg.subject, 'orchestrator.service.n2.gamma.register');
    assert.equal(reg.duplicate, false);
    const stored = await h.waitForEvent('orchestrator.service.register', (e) => e.seq === reg.seq);
    assert.equal(stored.id, reg.event.id);
    assert.equal(stored.data.specVersion, 3);
    assert.equal(stored.data.specHash, specHash(spec));
  });

  test('registerSpec refuses a spec without a usable id, and a missing node', async (t) => {
    const nc = await connectFromEnv({ env: { NESTOR_NATS_URL: h.bus.natsUrl } });
    t.after(() => nc.close());
    await assert.rejects(registerSpec(nc, { id: 'has.dot' }, { node: 'n1' }), (err) => err instanceof SdkError && err.reason === 'invalid-spec');
    await assert.rejects(registerSpec(nc, { id: 'ok' }, { env: {} }), (err) => err instanceof SdkError && err.reason === 'missing-env');
  });

  test('connectFromEnv needs NESTOR_NATS_URL', async () => {
    await assert.rejects(connectFromEnv({ env: {} }), (err) => err instanceof SdkError && err.reason === 'missing-env');
  });

  test('specHash ignores key order; canonicalJson sorts keys at every depth', () => {
    assert.equal(specHash({ a: 1, b: { c: 2, d: [{ y: 1, x: 2 }] } }), specHash({ b: { d: [{ x: 2, y: 1 }], c: 2 }, a: 1 }));
    assert.notEqual(specHash({ a: [1, 2] }), specHash({ a: [2, 1] }));
    assert.equal(canonicalJson({ b: 1, a: { d: undefined, c: null } }), '{"a":{"c":null},"b":1}');
  });

  test('readServiceEnv maps the NESTOR_* variables', () => {
    const env = readServiceEnv({
      NESTOR_SERVICE: 'api',
      NESTOR_INSTANCE: 'api@2',
      NESTOR_NODE: 'n1',
      NESTOR_DATA_DIR: '/data/api',
      NESTOR_NATS_URL: 'nats://127.0.0.1:4222',
      NESTOR_PORT: '8080',
      NESTOR_PORT_METRICS: '9100',
      NESTOR_PORT_ADMIN_API: '9200',
      NESTOR_PORT_BAD: 'eighty',
    });
    assert.deepEqual(env, {
      service: 'api',
      instance: 'api@2',
      node: 'n1',
      dataDir: '/data/api',
      natsUrl: 'nats://127.0.0.1:4222',
      ports: { primary: 8080, metrics: 9100, admin_api: 9200 },
    });
    assert.deepEqual(readServiceEnv({}), { service: undefined, instance: undefined, node: undefined, dataDir: undefined, natsUrl: undefined, ports: {} });
  });
});
