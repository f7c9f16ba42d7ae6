// The dashboard in headless Chromium against a demo stack: it shows the services ready; the
// disable button stops alpha's process (seen in the events and the process table) and the page
// follows without a reload; enable brings it back; a SIGKILLed process shows its restart live;
// the page keeps working across a forced SSE reconnect; log boxes show their newest line and
// log events are filtered out of the feed until the toggle shows them. A screenshot goes to test-output/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { demoStack, isAlive, PROJECT_DIR, until } from '../api/helpers.ts';
import { openPage } from './browser.ts';

const OUT = join(PROJECT_DIR, 'test-output');

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').trim();
}

/** In the page (as source: the tests compile without the DOM's types): the log box overflows and shows its last line. */
function logAtBottom(selector: string): string {
  return `(() => { const el = document.querySelector(${JSON.stringify(selector)}); return el.scrollHeight > el.clientHeight && el.scrollHeight - el.scrollTop - el.clientHeight <= 2; })()`;
}

test('the dashboard shows the stack live and its buttons control it', async (t) => {
  const h = await demoStack('dashboard-browser');
  t.after(() => h.close());
  const { page, errors } = await openPage(t, { width: 1400, height: 1000 });
  const wait = { timeout: 20_000 };

  await page.goto(`${h.node.api.url}/status`);
  await page.waitForSelector('body.live', { state: 'attached', ...wait });
  await page.waitForSelector('#row-alpha[data-state=ready]', wait);
  await page.waitForSelector('#row-beta[data-state=ready]', wait);
  assert.equal(await text(page, '#row-alpha [data-field=pid]'), String(h.service('alpha').pid));
  assert.equal(await page.locator('#graph svg g[data-node=beta]').count(), 1);
  // The node column and the nodes panel: this node is alive and runs both services.
  assert.equal(await text(page, '#row-alpha [data-field=node]'), h.config.node);
  await page.waitForSelector(`[data-node-row="${h.config.node}"][data-state=alive]`, wait);
  assert.equal(await text(page, `[data-node-row="${h.config.node}"] [data-field=instances]`), '2');
  // The log box opens at its newest line: made one line high, so any tail overflows it.
  await page.addStyleTag({ content: 'pre.log { max-height: 1.2em; }' });
  await until('alpha log box scrolled to the bottom', () => page.evaluate<boolean>(logAtBottom('#log-alpha')));
  // Log metadata events stay out of the feed until the toggle (key l, or the checkbox) shows them.
  await page.waitForSelector('#feed li.ev-log', { state: 'attached', ...wait });
  assert.equal(await page.locator('#feed li.ev-log').first().isVisible(), false);
  await page.keyboard.press('l');
  await page.waitForSelector('#feed li.ev-log', { state: 'visible', ...wait });
  assert.equal(await page.isChecked('#show-logs'), true);
  await page.click('#show-logs');
  await page.waitForSelector('body:not(.show-logs)', { state: 'attached', ...wait });
  assert.equal(await page.locator('#feed li.ev-log').first().isVisible(), false);
  // Anything a reload would lose.
  await page.evaluate(() => Object.assign(globalThis, { nestorMarker: 'no reload' }));

  // Disable: the process goes away, the page follows.
  const pid = h.service('alpha').pid as number;
  let since = h.lastSeq();
  await page.click('#row-alpha button[data-verb=disable]');
  const disable = await h.waitForEvent('orchestrator.command.disable', (e) => e.data.service === 'alpha', { since });
  assert.equal(disable.data.requestedBy.component, 'web');
  await h.waitForEvent('orchestrator.service.exit', (e) => e.data.service === 'alpha' && e.data.pid === pid, { since });
  await h.waitForState('alpha', 'disabled');
  assert.equal(await isAlive(pid), false, `alpha's pid ${pid} is gone from the process table`);
  await page.waitForSelector('#row-alpha[data-state=disabled]', wait);
  await page.waitForSelector('#toast.tone-ok', wait);
  assert.equal(await text(page, '#toast'), 'alpha disabled');
  assert.equal(await text(page, '#row-alpha [data-field=pid]'), '-');

  // Enable: a new process, shown with its pid.
  since = h.lastSeq();
  await page.click('#row-alpha button[data-verb=enable]');
  await h.waitForEvent('orchestrator.command.enable', (e) => e.data.service === 'alpha', { since });
  const back = await h.waitForState('alpha', 'ready', { timeoutMs: 15_000 });
  assert.ok(back.pid !== null && (await isAlive(back.pid)));
  await page.waitForSelector('#row-alpha[data-state=ready]', wait);
  await until('the new pid on the page', async () => (await text(page, '#row-alpha [data-field=pid]')) === String(back.pid));

  // A killed process: its restart shows live.
  since = h.lastSeq();
  process.kill(back.pid as number, 'SIGKILL');
  await h.waitForEvent('orchestrator.service.exit', (e) => e.data.service === 'alpha' && e.data.signal === 'SIGKILL', { since });
  const restarted = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'alpha' && e.data.attempt > 0, { since, timeoutMs: 15_000 });
  await h.waitForState('alpha', 'ready', { timeoutMs: 15_000 });
  await until('the restart on the page', async () => (await text(page, '#row-alpha [data-field=pid]')) === String(restarted.data.pid) && (await text(page, '#row-alpha [data-field=restarts]')) === '1');
  await page.waitForSelector('#row-alpha[data-state=ready]', wait);
  await page.waitForSelector(`#feed li[data-seq="${restarted.seq}"]`, wait);

  // A forced reconnect of the page's event stream: the page reconnects and stays live.
  h.node.api.dropStreams();
  await page.waitForSelector('body.live', { state: 'attached', ...wait });
  since = h.lastSeq();
  await page.click('#row-beta');
  await page.waitForSelector('#detail-beta', { state: 'visible', ...wait });
  await page.keyboard.press('r');
  await h.waitForEvent('orchestrator.command.restart', (e) => e.data.service === 'beta' && e.data.requestedBy.component === 'web', { since });
  const beta = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'beta', { since, timeoutMs: 15_000 });
  await h.waitForState('beta', 'ready', { timeoutMs: 15_000 });
  await until('beta restarted on the page', async () => (await text(page, '#row-beta [data-field=pid]')) === String(beta.data.pid));
  await until('beta log tail in its detail', async () => /beta listening on http/.test(await text(page, '#log-beta')));
  await until('beta log box scrolled to the bottom', () => page.evaluate<boolean>(logAtBottom('#log-beta')));
  assert.equal(await page.evaluate(() => (globalThis as { nestorMarker?: string }).nestorMarker), 'no reload');

  await page.keyboard.press('?');
  await page.waitForSelector('#help', { state: 'visible', ...wait });
  await page.keyboard.press('Escape');
  await page.waitForSelector('#row-alpha[data-state=ready]', wait);
  await mkdir(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, 'dashboard.png'), fullPage: true });
  assert.deepEqual(errors, []);
});
