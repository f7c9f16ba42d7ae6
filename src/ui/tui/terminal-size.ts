// The terminal's size as React state: Ink re-lays out on resize but does not re-render, and the
// screen's panes are sized from these numbers.
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

/** Columns and rows of a terminal. */
export interface TerminalSize {
  columns: number;
  rows: number;
}

/** The size of Ink's stdout, updated on every resize (a stream without a size reads as 120 × 40). */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout.columns || 120, rows: stdout.rows || 40 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = (): void => setSize({ columns: stdout.columns || 120, rows: stdout.rows || 40 });
    stdout.on('resize', onResize);
    onResize();
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
