// The dashboard's runs page in headless Chromium against a real node: the run shows with its
// chart; the Pause button's post reaches the registry and, once the job acknowledges, the row
// turns paused without a reload; the tune field sends its key=value pairs. A screenshot goes to
// test-output/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { requestRuns } from '../../src/bus/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Run, RunCommand } from '../../src/runs/core/index.ts';
import { PROJECT_DIR, until } from '../api/helpers.ts';
import { openPage } from './browser.ts';


test('the runs page shows a run live and its buttons command it', async (t) => {
  const h = await createHarness({ name: 'runs-browser' });
  t.after(() => h.close());
  const ask = async <T>(op: Parameters<typeof requestRuns>[1], req: Parameters<typeof requestRuns>[2]): Promise<T> => {
    const reply = await requestRuns<T>(h.bus, op, req);
    if (!reply.ok) throw new Error(`${op}: ${reply.code} ${reply.message}`);
    return reply.data;
  };
  const run = await ask<Run>('create', { body: { experiment: 'mnist', version: '3', params: { lr: 0.1 }, heartbeatIntervalMs: 60_000 }, by: 'test' });
  for (const [step, loss, acc] of [[10, 0.9, 0.2], [20, 0.6, 0.5], [30, 0.45, 0.7], [40, 0.4, 0.8]] as const) {
    await ask('heartbeat', { id: run.id, body: { step, checkpointVersion: step / 10, metrics: { loss, acc }, runtimeStatus: 'training' } });
  }
  await until('the run in the node state', async () => (await (await fetch(`${h.node.api.url}/status/runs`)).text()).includes('data-field="step">40<'));

  const { page, errors } = await openPage(t, { width: 1400, height: 900 });
  const wait = { timeout: 20_000 };

  await page.goto(`${h.node.api.url}/status`);
  await page.keyboard.press('R');
  await page.waitForSelector(`#run-${run.id}[data-state=running]`, wait);
  await page.waitForSelector('#run-detail .run-chart polyline', wait);

  await page.click('button[data-run-action=pause]');
  await page.waitForSelector('#toast.tone-ok', wait);
  assert.match((await page.textContent('#toast')) ?? '', new RegExp(`pause sent to ${run.id}`));
  const pause = await ask<RunCommand>('next', { id: run.id });
  assert.deepEqual([pause.type, pause.requestedBy], ['pause', 'dashboard']);
  await ask('ack', { id: run.id, commandId: pause.id });
  // The page's periodic fragments show the ack, no reload.
  await page.evaluate('window.nestorMarker = 1');
  await page.waitForSelector(`#run-${run.id}[data-state=paused]`, wait);
  await page.waitForSelector('button[data-run-action=resume]:not([disabled])', wait);
  assert.equal(await page.evaluate('window.nestorMarker'), 1);

  await page.fill('#run-tune input', 'lr=0.3 note=warm');
  await page.click('button[data-run-action=tune]');
  await until('the tune in the registry', async () => (await ask<Run>('get', { id: run.id })).commands.some((c) => c.type === 'tune'));
  const tune = await ask<RunCommand>('next', { id: run.id });
  assert.deepEqual([tune.type, tune.params], ['tune', { lr: 0.3, note: 'warm' }]);
  await ask('ack', { id: run.id, commandId: tune.id });
  await page.waitForSelector('#run-detail dd[data-field=note]', wait);

  await page.click('.run-chart a');
  await page.waitForSelector('#run-detail .run-chart[data-metric=acc]', wait);
  const out = join(PROJECT_DIR, 'test-output');
  await mkdir(out, { recursive: true });
  await page.screenshot({ path: join(out, 'dashboard-runs.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
