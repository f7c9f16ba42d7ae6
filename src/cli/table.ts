// Plain-text tables for human output; every verb that prints one also has --json.
import { selectHealth } from '../views/index.ts';
import type { ServiceRow } from '../views/index.ts';

/** Formats rows as aligned columns with a header. */
export function renderTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The services table shared by `up`, `list` and `status`; instances are indented under their service. */
export function renderRows(rows: ServiceRow[]): string[] {
  // The NEXT column only when a scheduled service is listed: other stacks keep their table.
  const next = rows.some((r) => r.nextRun !== null);
  return renderTable(
    ['SERVICE', 'STATE', 'PID', 'PORTS', 'RESTARTS', 'UPTIME', 'HEALTH', 'NODE', ...(next ? ['NEXT'] : [])],
    rows.map((r) => [
      `${r.instance === null ? '' : '  '}${r.enabled ? r.id : `${r.id} (disabled)`}`,
      r.state,
      r.pid === null ? '-' : String(r.pid),
      r.ports.join(',') || '-',
      String(r.restarts),
      r.uptime,
      // The UIs' word, not the probe's: a person reads one word for one status everywhere.
      selectHealth(r.health).text,
      r.node || '-',
      ...(next ? [r.nextRun ?? '-'] : []),
    ]),
  );
}
