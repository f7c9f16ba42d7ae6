// A headless Chromium page for the dashboard's browser tests, closed when the test ends, with the
// page's uncaught errors collected (a test ends by checking there were none).
import type { TestContext } from 'node:test';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';

const CHROMIUM = process.env.NESTOR_CHROMIUM ?? '/usr/bin/chromium';

/** A new page of its own browser, at this viewport; `errors` collects the page's uncaught errors. */
export async function openPage(t: TestContext, viewport: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}
