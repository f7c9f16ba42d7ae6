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
  /**
   * Shows `lines` as a block kept below everything else printed (redrawn in place; other output
   * scrolls above it); an empty list leaves the last block where it is. Only on a terminal.
   */
  status?(lines: string[]): void;
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
  const live = process.stdout.isTTY === true && process.stderr.isTTY === true;
  // The status block sits at the bottom of the screen: every other line is written above it by
  // erasing the block (cursor up, clear to the end), writing the line, and drawing it again.
  let block: string[] = [];
  const erase = (): void => void (block.length > 0 && process.stderr.write(`\x1b[${block.length}F\x1b[J`));
  const draw = (): void => void (block.length > 0 && process.stderr.write(block.map((l) => `${l}\n`).join('')));
  const above = (write: () => void): void => {
    erase();
    write();
    draw();
  };
  return {
    out: (line) => above(() => process.stdout.write(`${line}\n`)),
    info: (line) => above(() => process.stderr.write(`${dim('nestor')} ${line}\n`)),
    error: (line) => above(() => process.stderr.write(`nestor: ${line}\n`)),
    colour,
    tty: process.stdout.isTTY === true,
    ...(live
      ? {
          status(lines: string[]): void {
            if (lines.length === 0) {
              block = [];
              return;
            }
            erase();
            block = lines;
            draw();
          },
        }
      : {}),
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
