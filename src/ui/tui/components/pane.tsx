// A bordered pane of a fixed height. Its content sits in an unshrinkable column, so what does not
// fit is cut at the bottom instead of Yoga squeezing lines on top of each other.
import { Box } from 'ink';
import type { ReactElement, ReactNode } from 'react';

/** Props of a pane. */
export interface PaneProps {
  children: ReactNode;
  /** Rows, borders included; the content's natural height when absent. */
  height?: number;
  border?: 'single' | 'round';
  color?: string;
}

/** A bordered, clipped pane. */
export function Pane({ children, height, border = 'single', color = 'gray' }: PaneProps): ReactElement {
  return (
    <Box flexDirection="column" borderStyle={border} borderColor={color} paddingX={1} height={height} flexShrink={0} overflow="hidden">
      <Box flexDirection="column" flexShrink={0}>
        {children}
      </Box>
    </Box>
  );
}
