// The dependency view (web: the SVG picture): services in start order, each with its state and
// the dependencies it needs, ✓ when a dependency meets its condition.
import { Text } from 'ink';
import type { ReactElement } from 'react';
import type { GraphLayout } from '../../../views/index.ts';
import { toneColor } from './tone.tsx';
import { Pane } from './pane.tsx';

/** The dependencies pane. */
export function Graph({ layout, height }: { layout: GraphLayout; height?: number }): ReactElement {
  const width = Math.max(0, ...layout.nodes.map((n) => n.id.length));
  return (
    <Pane height={height}>
      <Text bold>Dependencies</Text>
      {layout.nodes.length === 0 ? <Text color="gray">No services registered.</Text> : null}
      {layout.nodes.map((n) => {
        const deps = layout.edges.filter((e) => e.from === n.id);
        return (
          <Text key={n.id} wrap="truncate-end">
            {'  '.repeat(n.layer)}
            <Text color={toneColor(n.tone)}>●</Text> <Text bold>{n.id.padEnd(width)}</Text> <Text color={toneColor(n.tone)}>{n.state}</Text>
            {deps.map((e) => (
              <Text key={e.to} color={e.met ? 'green' : 'yellow'}>
                {`  → ${e.to} (${e.condition} ${e.met ? '✓' : '…'})`}
              </Text>
            ))}
          </Text>
        );
      })}
    </Pane>
  );
}
