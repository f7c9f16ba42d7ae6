// The terminal UI fits the terminal it is given: in tmux at 80x24 and at 200x50 (and after a
// resize) the header, the services table's header and every service row are on screen, no line
// is wider than the terminal and the HEALTH column does not wrap; the help (?) fits too. The
// key-bar message of a restart clears once the service is ready again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoStack, PROJECT_DIR, until } from '../api/helpers.ts';
import { WITHOUT_CI, privateTmux } from './tmux.ts';

test('in tmux at 80x24 and 200x50 the whole screen fits, help included; a restart message clears on ready', async (t) => {
  const h = await demoStack('tui-fit');
  t.after(() => h.close());
  const tmux = privateTmux(t, 'fit');
  const command = `${WITHOUT_CI} ${process.execPath} --import tsx test/ui/fixtures/tui-main.ts ${h.node.api.url}`;
  const sizes = [
    { name: 'small', x: 80, y: 24 },
    { name: 'large', x: 200, y: 50 },
  ];
  for (const s of sizes) tmux('new-session', '-d', '-s', s.name, '-x', String(s.x), '-y', String(s.y), '-c', PROJECT_DIR, command);
  const screen = (name: string): string[] => tmux.screen(name).split('\n');
  const fits = (name: string, x: number, y: number): string | null => {
    const lines = screen(name);
    const shown = lines.join('\n');
    if (lines.filter((l, i) => i < lines.length - 1 || l !== '').length > y) return `more than ${y} lines`;
    if (lines.some((l) => [...l].length > x)) return `a line wider than ${x}`;
    if (!/Nestor\s+node \S+ up\s+broker connected/.test(shown)) return 'no header line';
    if (!/SERVICE\s+STATE\s+.*HEALTH/.test(shown)) return 'no services table header';
    // Each row on one line, HEALTH included: a wrapped column would leave `healthy` on its own line.
    if (!/alpha\s+ready\s.*\shealthy/.test(shown) || !/beta\s+ready\s.*\shealthy/.test(shown)) return 'a service row is missing or wrapped';
    if (lines.some((l) => /^\W*healthy\W*$/.test(l))) return 'the HEALTH column wrapped';
    return null;
  };
  for (const s of sizes) await until(`the ${s.x}x${s.y} screen to fit with both services healthy`, () => fits(s.name, s.x, s.y) === null, 60_000);

  // Help: the keys show and nothing scrolls off.
  for (const s of sizes) {
    tmux('send-keys', '-t', s.name, '?');
    await until(`help at ${s.x}x${s.y}`, () => /Keys/.test(screen(s.name).join('\n')) && /show or hide log events/.test(screen(s.name).join('\n')));
    assert.equal(fits(s.name, s.x, s.y), null, `with help at ${s.x}x${s.y}: ${fits(s.name, s.x, s.y)}\n${screen(s.name).join('\n')}`);
    tmux('send-keys', '-t', s.name, '?');
  }

  // A resize re-lays the screen out.
  tmux('resize-window', '-t', 'large', '-x', '80', '-y', '24');
  await until('the resized screen to fit 80x24', () => fits('large', 80, 24) === null);

  // The restart message says what is under way, and goes once alpha is ready again.
  const since = h.lastSeq();
  tmux('send-keys', '-t', 'small', 'r');
  await until('the restart message', () => /alpha restarting/.test(screen('small').join('\n')));
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'alpha', { since, timeoutMs: 20_000 });
  await until('the restart message gone', () => !/alpha restarting/.test(screen('small').join('\n')));
});
