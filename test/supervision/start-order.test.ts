// A stack starts in dependency order, each dependent once its dependencies reach their
// condition, and a dependent receives its dependency's actual port through placeholders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from '../../src/harness/index.ts';
import { demo } from './support.ts';

test('beta starts only after alpha is ready, and calls alpha on the port it was given', async () => {
  await using h = await createHarness({ name: 'start-order', specs: { alpha: demo('alpha'), beta: demo('beta') } });
  const betaReady = await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'beta');
  const alphaReady = await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'alpha');
  const betaStart = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'beta');
  assert.ok(alphaReady.seq < betaStart.seq, 'beta was spawned after alpha became ready');
  const pending = h.events().find((e) => e.type === 'orchestrator.service.pending' && e.data.service === 'beta');
  assert.deepEqual(pending?.type === 'orchestrator.service.pending' && pending.data.waitingFor, ['alpha']);

  const alphaPort = alphaReady.data.ports.primary as number;
  const betaPort = betaReady.data.ports.primary as number;
  assert.notEqual(alphaPort, 7101, 'random strategy allocated a port');
  const info = (await (await fetch(`http://127.0.0.1:${betaPort}/api/info`)).json()) as { alphaUrl: string; alpha: { pid: number } };
  assert.equal(info.alphaUrl, `http://127.0.0.1:${alphaPort}`);
  assert.equal(info.alpha.pid, alphaReady.data.pid);
  assert.deepEqual(
    h.status().services.map((s) => [s.id, s.state]),
    [
      ['alpha', 'ready'],
      ['beta', 'ready'],
    ],
  );
});

test('a started condition lets the dependent start while its dependency is still not ready', async (t) => {
  const gate = `${process.env.TMPDIR ?? '/tmp'}/nestor-gate-${process.pid}-${Date.now()}`;
  await using h = await createHarness({
    name: 'started-condition',
    specs: {
      alpha: demo('alpha', { args: ['--ready-file', gate] }),
      beta: demo('beta', { spec: { dependencies: [{ id: 'alpha', condition: 'started' }] } }),
    },
  });
  t.after(async () => (await import('node:fs/promises')).rm(gate, { force: true }));
  const betaStart = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'beta');
  assert.equal(h.service('alpha').state, 'running', 'alpha is alive but not ready');
  assert.ok(betaStart.seq > 0);
});

test('a oneshot that completes releases the service waiting for its completion', async () => {
  await using h = await createHarness({
    name: 'oneshot',
    specs: {
      migrate: demo('alpha', { args: ['--oneshot'], spec: { kind: 'oneshot', health: undefined } }),
      alpha: demo('alpha', { spec: { dependencies: [{ id: 'migrate', condition: 'completed' }] } }),
    },
  });
  await h.waitForState('alpha', 'ready', { timeoutMs: 20_000 });
  const exit = await h.waitForEvent('orchestrator.service.exit', (e) => e.data.service === 'migrate');
  const start = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'alpha');
  assert.equal(exit.data.code, 0);
  assert.ok(exit.seq < start.seq);
  assert.equal(h.service('migrate').state, 'completed');
});

test('--only starts one service without its dependencies; --disable leaves one out', async () => {
  // beta normally takes alpha's port from a placeholder; here it is pointed at nothing.
  const lonelyBeta = demo('beta', { process: { args: ['--port', '{ports.primary}', '--alpha-url', 'http://127.0.0.1:9'] } });
  await using only = await createHarness({
    name: 'only',
    specs: { alpha: demo('alpha'), beta: lonelyBeta },
    register: { only: ['beta'] },
  });
  await only.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'beta');
  assert.equal(only.service('alpha').state, 'disabled');
  assert.equal(only.events().some((e) => e.type === 'orchestrator.service.start' && e.data.service === 'alpha'), false);

  await using disabled = await createHarness({
    name: 'disable',
    specs: { alpha: demo('alpha'), beta: demo('beta') },
    register: { disable: ['beta'] },
  });
  await disabled.waitForState('alpha', 'ready');
  await disabled.waitForState('beta', 'disabled');
  assert.equal(disabled.events().some((e) => e.type === 'orchestrator.service.start' && e.data.service === 'beta'), false);
});
