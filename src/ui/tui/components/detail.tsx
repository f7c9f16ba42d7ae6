// The detail pane (web: templates/detail.html): the selected service's fields, the actions it
// offers, its log tail, its fields and its recent events.
import { Text } from 'ink';
import type { ReactElement } from 'react';
import { SERVICE_ACTIONS, availableActions, detailFields } from '../../../views/index.ts';
import type { FeedRow, ServiceDetail } from '../../../views/index.ts';
import { FeedLine } from './feed.tsx';
import { Badge } from './tone.tsx';
import { Pane } from './pane.tsx';

/** Props of the detail pane. */
export interface DetailProps {
  detail: ServiceDetail | null;
  logs: string[];
  /** The log lines are every service's, interleaved (key a), not the selected one's. */
  allLogs?: boolean;
  events: FeedRow[];
  readOnly?: boolean;
  /** Rows the pane may take; what does not fit is cut at the bottom. */
  height?: number;
}

/** Rows the detail pane would take in full. */
export function detailHeight(detail: ServiceDetail | null, logs: number, events: number): number {
  if (detail === null) return 4;
  return 2 + 2 + (detail.description ? 1 : 0) + detailFields(detail).length + 1 + Math.max(1, logs) + 1 + Math.max(1, events);
}

/** The detail pane. */
export function Detail({ detail, logs, allLogs = false, events, readOnly = false, height }: DetailProps): ReactElement {
  if (detail === null) {
    return (
      <Pane height={height}>
        <Text bold>Detail</Text>
        <Text color="gray">Select a service with j / k.</Text>
      </Pane>
    );
  }
  const available = new Set(availableActions(detail));
  return (
    <Pane height={height}>
      <Text wrap="truncate-end">
        <Text bold>{detail.displayName || detail.id}</Text> <Badge tone={detail.tone} text={detail.state} />
      </Text>
      {detail.description ? (
        <Text color="gray" wrap="truncate-end">
          {detail.description}
        </Text>
      ) : null}
      <Text wrap="truncate-end">
        {SERVICE_ACTIONS.map((a) => (
          <Text key={a.verb} color={available.has(a.verb) && !readOnly ? undefined : 'gray'} dimColor={!available.has(a.verb) || readOnly}>
            {`[${a.key}] ${a.label}  `}
          </Text>
        ))}
      </Text>
      {/* The log tail before the fields: on a short terminal it is what a failing service needs shown; state and health are in its table row. */}
      <Text bold>{allLogs ? `All services' logs (last ${logs.length} lines)` : `Log (last ${logs.length} lines)`}</Text>
      {logs.length === 0 ? <Text color="gray">(no output yet)</Text> : logs.map((l, i) => <Text key={i} wrap="truncate-end">{l}</Text>)}
      {detailFields(detail).map((f) => (
        <Text key={f.label} wrap="truncate-end">
          <Text color="gray">{f.label.padEnd(13)}</Text>
          {f.value}
        </Text>
      ))}
      <Text bold>Recent events</Text>
      {events.length === 0 ? <Text color="gray">No recent events.</Text> : events.map((r) => <FeedLine key={r.seq} row={r} />)}
    </Pane>
  );
}
