// The all-services log view on a real node: the REST route (/api/v1/logs), the dashboard's page
// (/status/logs) and the TUI's key a in tmux at 80x24, over two services printing in turn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness } from '../../src/harness/index.ts';
import { turnPrinter } from '../fixtures/turn-printer.ts';
import { PROJECT_DIR, get, until } from '../api/helpers.ts';
import { WITHOUT_CI, privateTmux } from './tmux.ts';

const printer = (go: string, lines: [number, string][]): Record<string, unknown> => ({
  process: { command: process.execPath, args: ['-e', turnPrinter(go, lines.map(([at, text]) => [at, text, 'out']))] },
});

test('every service log, interleaved by time, over REST, on the dashboard and in the TUI', async (t) => {
  const tmp = await mkdtemp(join(tmpdir(), 'nestor-all-logs-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const go = join(tmp, 'go');
  await using h = await createHarness({
    name: 'all-logs',
    specs: {
      ant: printer(go, [[0, 'ant one'], [600, 'ant two']]),
      bee: printer(go, [[300, 'bee one'], [900, 'bee two']]),
      // logging.format json: structured lines are shown as level and message.
      jay: { ...printer(go, [[1200, '{"level":"warn","msg":"disk nearly full"}']]), logging: { format: 'json' } },
    },
  });
  await h.waitForState('ant', 'ready');
  await h.waitForState('bee', 'ready');
  await h.waitForState('jay', 'ready');
  await writeFile(go, '');
  const api = h.node.api.url;
  let lines: { service: string; stream: string; time: string; text: string; level?: string; message?: string }[] = [];
  await until('four lines in the merged log', async () => {
    const res = await get(`${api}/api/v1/logs?lines=10`);
    lines = (JSON.parse(res.body) as { lines: typeof lines }).lines;
    return lines.length >= 5;
  });
  const jay = lines.pop();
  assert.deepEqual([jay?.service, jay?.level, jay?.message], ['jay', 'warn', 'disk nearly full']);
  assert.deepEqual(
    lines.map((l) => [l.service, l.text]),
    [
      ['ant', 'ant one'],
      ['bee', 'bee one'],
      ['ant', 'ant two'],
      ['bee', 'bee two'],
    ],
  );

  const page = await get(`${api}/status/logs`);
  assert.equal(page.status, 200);
  const text = page.body.replace(/<[^>]+>/g, '');
  assert.ok(/ant \| ant one\s+bee \| bee one\s+ant \| ant two\s+bee \| bee two\s+jay \| WARN {2}disk nearly full/.test(text), text);
  const dashboard = await get(`${api}/status`);
  assert.match(dashboard.body, /href="\/status\/logs"[^>]*>all services</);

  const tmux = privateTmux(t, 'all-logs');
  tmux('new-session', '-d', '-s', 'tui', '-x', '80', '-y', '24', '-c', PROJECT_DIR, `${WITHOUT_CI} ${process.execPath} --import tsx test/ui/fixtures/tui-main.ts ${api}`);
  const screen = (): string => tmux.screen('tui');
  await until('the TUI showing both services', () => /ant\s+ready/.test(screen()) && /bee\s+ready/.test(screen()), 60_000);
  tmux('send-keys', '-t', 'tui', 'a');
  await until("the all-services log in the detail pane", () => /All services' logs/.test(screen()) && /ant \| ant two/.test(screen())).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}:\n${screen()}`);
  });
  // At 80x24 the pane shows what fits of the newest lines, cut at the bottom like the per-service log.
  const shown = screen().split('\n');
  assert.ok(shown.indexOf(shown.find((l) => l.includes('ant | ant one')) ?? '') < shown.indexOf(shown.find((l) => l.includes('bee | bee one')) ?? ''), screen());
  assert.ok(shown.filter((l, i) => i < shown.length - 1 || l !== '').length <= 24 && shown.every((l) => [...l].length <= 80), 'still fits 80x24');
  tmux('send-keys', '-t', 'tui', 'a');
  await until('back to the selected service log', () => /Log \(last \d+ lines\)/.test(screen()));
  tmux('send-keys', '-t', 'tui', 'q');
  await until('the TUI to exit', () => !tmux.alive('tui'));
});
