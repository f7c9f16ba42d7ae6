// The terminal UI in a real terminal: `runTui` inside tmux (a real pty, raw mode, 160x50),
// against a demo stack. Pressing d sends the disable command (seen as its event, requested by
// the tui) and the screen shows alpha disabled; q quits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { demoStack, PROJECT_DIR, until } from '../api/helpers.ts';

test('in tmux, the disable key disables the selected service and q quits', async (t) => {
  const h = await demoStack('tui-tmux');
  t.after(() => h.close());
  // A private tmux server, so the test never touches a developer's sessions.
  const socket = `nestor-test-${process.pid}-${Date.now()}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  t.after(() => spawnSync('tmux', ['-L', socket, 'kill-server']));
  // Ink draws nothing until exit when it believes it runs in CI (is-in-ci reads CI=true, which
  // .ci/run has): this terminal is real, so the variable is dropped for the UI.
  const command = `env -u CI -u CONTINUOUS_INTEGRATION ${process.execPath} --import tsx test/ui/fixtures/tui-main.ts ${h.node.api.url}`;
  tmux('new-session', '-d', '-s', 'tui', '-x', '160', '-y', '50', '-c', PROJECT_DIR, command);
  const screen = (): string => tmux('capture-pane', '-p', '-t', 'tui');

  await until('the TUI showing both services ready', () => /› alpha\s+ready/.test(screen()) && /beta\s+ready/.test(screen()), 60_000);
  assert.match(screen(), /Nestor\s+node \S+ up\s+broker connected/);
  const since = h.lastSeq();
  tmux('send-keys', '-t', 'tui', 'd');
  const cmd = await h.waitForEvent('orchestrator.command.disable', (e) => e.data.service === 'alpha', { since });
  assert.deepEqual(cmd.data.requestedBy, { node: h.config.node, component: 'tui' });
  await h.waitForState('alpha', 'disabled');
  await until('alpha disabled on screen', () => /› alpha\s+disabled/.test(screen()));

  tmux('send-keys', '-t', 'tui', 'q');
  await until('the TUI to exit (its session ends)', () => spawnSync('tmux', ['-L', socket, 'has-session', '-t', 'tui']).status !== 0);
});
