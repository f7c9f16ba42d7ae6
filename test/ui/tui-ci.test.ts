// The terminal UI under CI=true in a real terminal (tmux): Ink's CI detection would hold every
// frame back until exit; on a TTY the UI draws anyway, and the services it starts keep seeing CI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoStack, PROJECT_DIR, until } from '../api/helpers.ts';
import { privateTmux } from './tmux.ts';

test('with CI=true the TUI still draws on a terminal while it runs', async (t) => {
  const h = await demoStack('tui-ci');
  t.after(() => h.close());
  const tmux = privateTmux(t, 'tui-ci');
  const command = `env CI=true CONTINUOUS_INTEGRATION=1 ${process.execPath} --import tsx test/ui/fixtures/tui-main.ts ${h.node.api.url}`;
  tmux('new-session', '-d', '-s', 'tui', '-x', '100', '-y', '30', '-c', PROJECT_DIR, command);
  const screen = (): string => tmux.screen('tui');

  await until('the TUI drawing both services while it runs', () => /alpha\s+ready/.test(screen()) && /beta\s+ready/.test(screen()), 60_000);
  assert.ok(tmux.alive('tui'), 'drawn before exit, not only at exit');
  tmux('send-keys', '-t', 'tui', 'q');
  await until('the TUI to exit (its session ends)', () => !tmux.alive('tui'));
});

test('loadTui puts CI back once Ink is loaded', async () => {
  const before = process.env.CI;
  process.env.CI = 'true';
  try {
    const { loadTui } = await import('../../src/ui/tui/load.ts');
    const tui = await loadTui(true);
    assert.equal(typeof tui.runTui, 'function');
    assert.equal(process.env.CI, 'true');
  } finally {
    if (before === undefined) delete process.env.CI;
    else process.env.CI = before;
  }
});
