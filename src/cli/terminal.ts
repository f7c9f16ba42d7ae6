// Where the CLI writes: service output and results to stdout, progress and errors to stderr,
// colour only when the stream is a terminal (and NO_COLOR is unset).

/** Output channels of a verb; tests pass their own to capture what a user would see. */
export interface Terminal {
  /** A line of results or service output (stdout). */
  out(line: string): void;
  /** A progress line (stderr). */
  info(line: string): void;
  /** An error line (stderr). */
  error(line: string): void;
  colour: boolean;
}

/** The process's real terminal. */
export function processTerminal(): Terminal {
  const colour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  const dim = (s: string): string => (process.stderr.isTTY && process.env.NO_COLOR === undefined ? `\x1b[2m${s}\x1b[0m` : s);
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    info: (line) => process.stderr.write(`${dim('nestor')} ${line}\n`),
    error: (line) => process.stderr.write(`nestor: ${line}\n`),
    colour,
  };
}
