// What a verb runs against: the project folder, the environment, and how a follow mode (watch,
// events --follow, logs -f) learns that it should end. `bin/nestor.js` passes the process's own;
// embedding code and in-process runs pass theirs, so nothing depends on the real cwd.

/** Where and how a verb runs. */
export interface CliContext {
  /** The project folder: where the project file and the runtime info are looked for. */
  cwd: string;
  /** The environment (NESTOR_URL, NESTOR_* settings). */
  env: NodeJS.ProcessEnv;
  /** Ends follow modes; without it they end on SIGINT or SIGTERM. */
  signal?: AbortSignal;
}

/** The variables of an environment that have a value (what a child process would see). */
export function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The context of the nestor process itself. */
export function processContext(): CliContext {
  return { cwd: process.cwd(), env: process.env };
}

/**
 * The signal that ends a follow mode. Only follow modes ask for it: listening for SIGINT turns
 * off Node's default exit on Ctrl-C, which every other verb keeps.
 */
export function followSignal(ctx: CliContext): AbortSignal {
  if (ctx.signal !== undefined) return ctx.signal;
  const ac = new AbortController();
  const stop = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    ac.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  ac.signal.addEventListener('abort', stop, { once: true });
  return ac.signal;
}
