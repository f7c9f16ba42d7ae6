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
  /** stdout is an interactive terminal: live views redraw in place instead of appending lines. */
  tty?: boolean;
}

/** The process's real terminal. */
export function processTerminal(): Terminal {
  // `nestor events | head`: once the reader has gone there is nobody left to answer, and a
  // broken pipe is the normal way for such a pipeline to end.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const colour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  const dim = (s: string): string => (process.stderr.isTTY && process.env.NO_COLOR === undefined ? `\x1b[2m${s}\x1b[0m` : s);
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    info: (line) => process.stderr.write(`${dim('nestor')} ${line}\n`),
    error: (line) => process.stderr.write(`nestor: ${line}\n`),
    colour,
    tty: process.stdout.isTTY === true,
  };
}

/** A terminal that keeps every line, for running verbs in-process (tests, embedding). */
export interface CapturedTerminal extends Terminal {
  stdout: string[];
  stderr: string[];
}

/** Captures output instead of writing it; not a TTY, no colour. */
export function captureTerminal(onOut?: (line: string) => void): CapturedTerminal {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => {
      stdout.push(line);
      onOut?.(line);
    },
    info: (line) => stderr.push(`nestor ${line}`),
    error: (line) => stderr.push(`nestor: ${line}`),
    colour: false,
    tty: false,
  };
}
