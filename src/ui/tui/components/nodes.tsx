// The nodes pane (web: the dashboard's nodes section): one row per node with its state, tags,
// how many instances it runs and its Caddy; the selected node is marked (its Caddy routes fill
// the rows left over), and d/u drain or undrain it.
import { Text } from 'ink';
import type { ReactElement } from 'react';
import { caddySummary, nodeTone } from '../../../views/index.ts';
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
  // The selected node's Caddy routes and certificates fill the rows the pane has left over.
  const caddy = rows.find((r) => r.id === selected)?.caddy;
  const routes = [...(caddy?.routes ?? []), ...(caddy?.certificates ?? [])];
  const spare = Math.max(0, fit - shown.length);
  return (
    <Pane height={height} color="cyan">
      <Text bold wrap="truncate-end">
        Nodes <Text color="gray">(n closes · j/k select · d drain · u undrain)</Text>
      </Text>
      <Text color="gray" wrap="truncate-end">{`  ${cell('NODE', 14)}${cell('STATE', 10)}${cell('INSTANCES', 11)}${cell('CADDY', 22)}TAGS`}</Text>
      {rows.length === 0 ? <Text color="gray">  No nodes known yet.</Text> : null}
      {shown.map((r) => {
        const mark = r.id === selected;
        return (
          <Text key={r.id} inverse={mark} wrap="truncate-end">
            {mark ? '› ' : '  '}
            <Text bold>{cell(r.id, 14)}</Text>
            <Text color={toneColor(nodeTone(r.state))}>{cell(r.state, 10)}</Text>
            {cell(String(r.instances.length), 11)}
            {cell(caddySummary(r.caddy), 22)}
            {r.tags.join(',') || '-'}
          </Text>
        );
      })}
      {routes.slice(0, spare).map((line) => (
        <Text key={line} color="gray" wrap="truncate-end">
          {`  ${line}`}
        </Text>
      ))}
    </Pane>
  );
}
