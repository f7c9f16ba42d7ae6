// The nodes pane (web: the dashboard's nodes section): one row per node with its state, tags and
// how many instances it runs; the selected node is marked, and d/u drain or undrain it.
import { Text } from 'ink';
import type { ReactElement } from 'react';
import { nodeTone } from '../../../views/index.ts';
import type { NodeRow } from '../../../views/index.ts';
import { Pane } from './pane.tsx';
import { toneColor } from './tone.tsx';

/** Props of the nodes pane. */
export interface NodesPaneProps {
  rows: NodeRow[];
  selected: string | null;
  /** Rows of the pane, borders included. */
  height?: number;
}

function cell(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 2)}… ` : text.padEnd(width);
}

/** The nodes pane. */
export function NodesPane({ rows, selected, height }: NodesPaneProps): ReactElement {
  const fit = height === undefined ? rows.length : Math.max(1, height - 4);
  const at = Math.max(0, rows.findIndex((r) => r.id === selected));
  const first = Math.min(Math.max(0, at - fit + 1), Math.max(0, rows.length - fit));
  const shown = rows.slice(first, first + fit);
  return (
    <Pane height={height} color="cyan">
      <Text bold wrap="truncate-end">
        Nodes <Text color="gray">(n closes · j/k select · d drain · u undrain)</Text>
      </Text>
      <Text color="gray" wrap="truncate-end">{`  ${cell('NODE', 14)}${cell('STATE', 10)}${cell('INSTANCES', 11)}TAGS`}</Text>
      {rows.length === 0 ? <Text color="gray">  No nodes known yet.</Text> : null}
      {shown.map((r) => {
        const mark = r.id === selected;
        return (
          <Text key={r.id} inverse={mark} wrap="truncate-end">
            {mark ? '› ' : '  '}
            <Text bold>{cell(r.id, 14)}</Text>
            <Text color={toneColor(nodeTone(r.state))}>{cell(r.state, 10)}</Text>
            {cell(String(r.instances.length), 11)}
            {r.tags.join(',') || '-'}
          </Text>
        );
      })}
    </Pane>
  );
}
