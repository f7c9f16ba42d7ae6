// `nestor tui`: the terminal UI (src/ui/tui) on the running instance, fed by its HTTP API (the
// `api` URL in the runtime info or in the node's orchestrator.node.up event).
import { connectInstance } from './connect.ts';
import type { CliContext } from './context.ts';
import { CliFailure, UsageError } from './errors.ts';

/** Flags of `nestor tui`. */
export interface TuiFlags {
  file?: string;
}

/** Runs the terminal UI until the user quits. */
export async function runTuiVerb(flags: TuiFlags, ctx: CliContext): Promise<number> {
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
    throw new UsageError('nestor tui needs an interactive terminal; use `nestor watch` in scripts and pipes');
  }
  let url: string | null;
  let token: string | undefined;
  {
    await using conn = await connectInstance(ctx, flags.file);
    url = conn.info.api;
    token = conn.config.api.token;
  }
  if (url === null) throw new CliFailure('the running instance serves no HTTP API, which the terminal UI reads; `nestor watch` works without it');
  // Ink and React load only for this verb; loadTui keeps Ink drawing on this terminal under CI=true.
  const { loadTui } = await import('../ui/tui/load.ts');
  const { runTui } = await loadTui(true);
  await runTui({ url, ...(token === undefined ? {} : { token }) });
  return 0;
}
