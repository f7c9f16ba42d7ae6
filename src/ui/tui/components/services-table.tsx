// The services pane (web: templates/service.html + service-row.html): one row per service with
// state badge, pid, ports, restarts, uptime, health and node, the instances of a replicated
// service indented under it; the selected row is marked. Columns
// narrow, then drop, so a row never wraps; rows beyond the pane's height scroll with the
// selection.
import { Text } from 'ink';
import type { ReactElement } from 'react';
import { selectHealth } from '../../../views/index.ts';
import type { ServiceRow } from '../../../views/index.ts';
import { toneColor } from './tone.tsx';
import { Pane } from './pane.tsx';

/** Props of the services table. */
export interface ServicesTableProps {
  rows: ServiceRow[];
  selected: string | null;
  /** Rows of the pane, borders included. */
  height?: number;
  /** Columns of the pane, borders included. */
  width?: number;
}

type Column = 'service' | 'state' | 'pid' | 'ports' | 'restarts' | 'uptime' | 'health' | 'node';

const COLUMNS: { key: Column; title: string; width: number; min: number }[] = [
  { key: 'service', title: 'SERVICE', width: 14, min: 10 },
  { key: 'state', title: 'STATE', width: 10, min: 10 },
  { key: 'pid', title: 'PID', width: 8, min: 8 },
  { key: 'ports', title: 'PORTS', width: 18, min: 12 },
  { key: 'restarts', title: 'RESTARTS', width: 9, min: 9 },
  { key: 'uptime', title: 'UPTIME', width: 9, min: 9 },
  { key: 'health', title: 'HEALTH', width: 10, min: 10 },
  { key: 'node', title: 'NODE', width: 10, min: 8 },
];
// Dropped first when even the narrowest widths do not fit; SERVICE, STATE and HEALTH stay.
const DROP_ORDER: Column[] = ['restarts', 'uptime', 'node', 'pid', 'ports'];
const MARK = 2;
// Border and padding on each side.
const CHROME_X = 4;

/** Column widths that fit `inner` columns: without the least needed while even their narrowest do not fit, then narrowed. */
export function fitColumns(inner: number): { key: Column; title: string; width: number }[] {
  let cols = COLUMNS.map((c) => ({ ...c }));
  const total = (key: 'width' | 'min'): number => MARK + cols.reduce((n, c) => n + c[key], 0);
  // Dropping first keeps the remaining columns as wide as the room allows (a whole port, say).
  for (const key of DROP_ORDER) if (total('min') > inner) cols = cols.filter((c) => c.key !== key);
  for (const c of cols) if (total('width') > inner) c.width = Math.max(c.min, c.width - (total('width') - inner));
  return cols;
}

function cell(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 2)}… ` : text.padEnd(width);
}

function cells(r: ServiceRow): Record<Column, string> {
  return {
    service: r.instance === null ? r.id : `  ${r.id}`,
    state: r.state,
    pid: r.pid === null ? '-' : String(r.pid),
    ports: r.ports.join(' ') || '-',
    restarts: String(r.restarts),
    // An idle scheduled job has no uptime: the column tells when it runs next instead.
    uptime: r.uptime === '-' && r.nextRunShort !== null ? r.nextRunShort : r.uptime,
    health: selectHealth(r.health).text,
    node: r.node || '-',
  };
}

/** The services table. */
export function ServicesTable({ rows, selected, height, width = 120 }: ServicesTableProps): ReactElement {
  const cols = fitColumns(width - CHROME_X);
  // The rows that fit, as a window that keeps the selected row in view.
  const fit = height === undefined ? rows.length : Math.max(1, height - 4);
  const at = Math.max(0, rows.findIndex((r) => r.id === selected));
  const first = Math.min(Math.max(0, at - fit + 1), Math.max(0, rows.length - fit));
  const shown = rows.slice(first, first + fit);
  return (
    <Pane height={height}>
      <Text bold wrap="truncate-end">
        Services{rows.length > shown.length ? <Text color="gray">{` ${first + 1}-${first + shown.length} of ${rows.length}`}</Text> : null}
      </Text>
      <Text color="gray" wrap="truncate-end">{`  ${cols.map((c) => cell(c.title, c.width)).join('')}`}</Text>
      {rows.length === 0 ? <Text color="gray">  No services registered yet.</Text> : null}
      {shown.map((r) => {
        const health = selectHealth(r.health);
        const mark = r.id === selected;
        const text = cells(r);
        return (
          <Text key={r.id} inverse={mark} wrap="truncate-end">
            {mark ? '› ' : '  '}
            {cols.map((c) => {
              const value = cell(text[c.key], c.width);
              if (c.key === 'service') return <Text key={c.key} bold>{value}</Text>;
              if (c.key === 'state') return <Text key={c.key} color={toneColor(r.tone)}>{value}</Text>;
              if (c.key === 'health') return <Text key={c.key} color={toneColor(health.tone)}>{value}</Text>;
              return value;
            })}
          </Text>
        );
      })}
    </Pane>
  );
}
