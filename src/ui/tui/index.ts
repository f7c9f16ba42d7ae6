// Public entry of the terminal UI (Ink): `runTui` for `nestor tui` and `nestor up --tui`, and
// the presentational App for tests. Both UIs draw the shared view models of src/views.
import { render } from 'ink';
import { createElement } from 'react';
import { ApiClient } from '../../api/index.ts';
import { LiveTui } from './live.tsx';

export { App } from './app.tsx';
export type { TuiView } from './app.tsx';
export { LiveTui } from './live.tsx';
export type { LiveTuiProps } from './live.tsx';

/** Options of {@link runTui}. */
export interface TuiOptions {
  /** Base URL of the node's API (runtime info `api`, or `NESTOR_URL`). */
  url: string;
  /** The API token, when the node has one. */
  token?: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Closes the UI from outside (a signal stopping `nestor up --tui`). */
  signal?: AbortSignal;
}

/** Runs the terminal UI until the user quits (q or Ctrl-C). */
export async function runTui(opts: TuiOptions): Promise<void> {
  const client = new ApiClient({ url: opts.url, token: opts.token, component: 'tui' });
  const app = render(createElement(LiveTui, { client }), {
    stdin: opts.stdin ?? process.stdin,
    stdout: opts.stdout ?? process.stdout,
    exitOnCtrlC: true,
  });
  opts.signal?.addEventListener('abort', () => app.unmount(), { once: true });
  await app.waitUntilExit();
}
