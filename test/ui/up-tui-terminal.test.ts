// `nestor up --tui` in a real terminal (tmux): the stack starts with the terminal UI in place of
// the logs, and quitting the UI stops every service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureDeps } from '../../src/dep/index.ts';
import { tempProject } from '../reliability/support.ts';
import { alive } from '../supervision/support.ts';
import { PROJECT_DIR, until } from '../api/helpers.ts';

test('up --tui shows the stack in the terminal UI, and q stops it', async (t) => {
  await ensureDeps([{ name: 'alpha', source: 'local', entry: 'demo/alpha/main.ts' }], { projectDir: PROJECT_DIR });
  const project = await tempProject(1);
  const socket = `nestor-up-tui-${process.pid}-${Date.now()}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  // One hook, in order: end the terminal (and so `nestor up`), then remove the project once its
  // processes are gone.
  t.after(async () => {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    await project.remove();
  });
  // Without CI=true (see tui-terminal.test.ts): Ink would draw nothing until exit.
  tmux('new-session', '-d', '-s', 'up', '-x', '160', '-y', '50', '-c', project.dir, `env -u CI -u CONTINUOUS_INTEGRATION ${process.execPath} ${join(PROJECT_DIR, 'bin', 'nestor.js')} up --tui`);
  const screen = (): string => tmux('capture-pane', '-p', '-t', 'up');
  await until('the TUI showing alpha0 ready', () => /› alpha0\s+ready/.test(screen()), 60_000);

  const status = JSON.parse(
    execFileSync(process.execPath, [join(PROJECT_DIR, 'bin', 'nestor.js'), 'status', '--json'], { cwd: project.dir, encoding: 'utf8' }),
  ) as { services: { id: string; pid: number }[] };
  const pid = status.services[0]?.pid as number;
  assert.ok(alive(pid));

  tmux('send-keys', '-t', 'up', 'q');
  await until('nestor up to exit (its session ends)', () => spawnSync('tmux', ['-L', socket, 'has-session', '-t', 'up']).status !== 0, 20_000);
  assert.equal(alive(pid), false, 'quitting the UI stopped the service');
});
