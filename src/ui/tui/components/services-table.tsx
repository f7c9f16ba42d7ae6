// The services pane (web: templates/services.html + service-row.html): one row per service with
// state badge, pid, ports, restarts, uptime and health; the selected row is marked.
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import { selectHealth } from '../../../views/index.ts';
import type { ServiceRow } from '../../../views/index.ts';
import { toneColor } from './tone.tsx';

/** Props of the services table. */
export interface ServicesTableProps {
  rows: ServiceRow[];
  selected: string | null;
}

const COLUMNS = [
  { title: 'SERVICE', width: 14 },
  { title: 'STATE', width: 10 },
  { title: 'PID', width: 8 },
  { title: 'PORTS', width: 18 },
  { title: 'RESTARTS', width: 9 },
  { title: 'UPTIME', width: 9 },
  { title: 'HEALTH', width: 10 },
];

function cell(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 2)}… ` : text.padEnd(width);
}

/** The services table. */
export function ServicesTable({ rows, selected }: ServicesTableProps): ReactElement {
  return (
    <Box flexDirection="column" borderStyle="single" borderColor="gray" paddingX={1}>
      <Text bold>Services</Text>
      <Text color="gray">{`  ${COLUMNS.map((c) => cell(c.title, c.width)).join('')}`}</Text>
      {rows.length === 0 ? <Text color="gray">  No services registered yet.</Text> : null}
      {rows.map((r) => {
        const health = selectHealth(r.health);
        const mark = r.id === selected;
        const w = COLUMNS.map((c) => c.width);
        return (
          <Text key={r.id} inverse={mark}>
            {mark ? '› ' : '  '}
            <Text bold>{cell(r.id, w[0] as number)}</Text>
            <Text color={toneColor(r.tone)}>{cell(r.state, w[1] as number)}</Text>
            {cell(r.pid === null ? '-' : String(r.pid), w[2] as number)}
            {cell(r.ports.join(' ') || '-', w[3] as number)}
            {cell(String(r.restarts), w[4] as number)}
            {cell(r.uptime, w[5] as number)}
            <Text color={toneColor(health.tone)}>{cell(health.text, w[6] as number)}</Text>
          </Text>
        );
      })}
    </Box>
  );
}
