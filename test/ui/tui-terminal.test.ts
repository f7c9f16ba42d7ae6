// The terminal UI in a real terminal: `runTui` inside tmux (a real pty, raw mode, 160x50),
// against a demo stack. Pressing d sends the disable command (seen as its event, requested by
// the tui) and the screen shows alpha disabled; q quits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoStack, PROJECT_DIR, until } from '../api/helpers.ts';
import { WITHOUT_CI, privateTmux } from './tmux.ts';

test('in tmux, the disable key disables the selected service and q quits', async (t) => {
  const h = await demoStack('tui-tmux');
  t.after(() => h.close());
  const tmux = privateTmux(t, 'tui');
  const command = `${WITHOUT_CI} ${process.execPath} --import tsx test/ui/fixtures/tui-main.ts ${h.node.api.url}`;
  tmux('new-session', '-d', '-s', 'tui', '-x', '160', '-y', '50', '-c', PROJECT_DIR, command);
  const screen = (): string => tmux.screen('tui');

  await until('the TUI showing both services ready', () => /› alpha\s+ready/.test(screen()) && /beta\s+ready/.test(screen()), 60_000);
  assert.match(screen(), /Nestor\s+node \S+ up\s+broker connected/);
  const since = h.lastSeq();
  tmux('send-keys', '-t', 'tui', 'd');
  const cmd = await h.waitForEvent('orchestrator.command.disable', (e) => e.data.service === 'alpha', { since });
  assert.deepEqual(cmd.data.requestedBy, { node: h.config.node, component: 'tui' });
  await h.waitForState('alpha', 'disabled');
  await until('alpha disabled on screen', () => /› alpha\s+disabled/.test(screen()));

  tmux('send-keys', '-t', 'tui', 'q');
  await until('the TUI to exit (its session ends)', () => !tmux.alive('tui'));
});
