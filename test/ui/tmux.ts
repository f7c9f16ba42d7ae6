// A private tmux server for the terminal tests: a real pty with raw mode, driven by send-keys and
// read by capture-pane. Its own socket means a test never touches a developer's sessions, and the
// server is killed after the test whatever happened.
import { execFileSync, spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/** Ink draws nothing until exit when it believes it runs in CI (is-in-ci reads CI=true, which
 * .ci/run sets); these terminals are real, so the variables are dropped for the UI process. */
export const WITHOUT_CI = 'env -u CI -u CONTINUOUS_INTEGRATION';

/** A tmux server of this test: run tmux commands, read a session's screen, ask whether it still runs. */
export interface Tmux {
  (...args: string[]): string;
  screen(session: string): string;
  alive(session: string): boolean;
}

/** Starts nothing yet: sessions are made with `tmux('new-session', ...)`; the server dies after the test. */
export function privateTmux(t: TestContext, name: string): Tmux {
  const socket = `nestor-${name}-${process.pid}-${Date.now()}`;
  const tmux = ((...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })) as Tmux;
  tmux.screen = (session) => tmux('capture-pane', '-p', '-t', session);
  tmux.alive = (session) => spawnSync('tmux', ['-L', socket, 'has-session', '-t', session]).status === 0;
  t.after(() => spawnSync('tmux', ['-L', socket, 'kill-server']));
  return tmux;
}
