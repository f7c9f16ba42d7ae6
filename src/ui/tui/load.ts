// Loads the terminal UI so that it draws on a real terminal even under CI=true. Ink 6 asks
// is-in-ci once, when it is first imported (CI or CONTINUOUS_INTEGRATION set and not "0" or
// "false"), and then writes only the last frame at exit: a terminal opened by a CI job or by a
// developer with CI exported in their shell would stay blank. The variables are hidden for that
// one import and put back at once, so services and child processes still see them.
import type * as Tui from './index.ts';

const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/** Imports the TUI module; when `tty` is true, Ink is made to believe it is not in CI. */
export async function loadTui(tty: boolean): Promise<typeof Tui> {
  if (!tty) return import('./index.ts');
  const saved = CI_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const [name] of saved) delete process.env[name];
  try {
    return await import('./index.ts');
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}
