// The event feed (web: templates/feed.html + feed-row.html), newest first. The detail pane uses
// the same rows for a service's recent events.
import { Text } from 'ink';
import type { ReactElement } from 'react';
import type { FeedRow } from '../../../views/index.ts';
import { toneColor } from './tone.tsx';
import { Pane } from './pane.tsx';

/** One feed line. */
export function FeedLine({ row }: { row: FeedRow }): ReactElement {
  return (
    <Text wrap="truncate-end">
      <Text color="gray">
        {row.time} #{row.seq}
      </Text>{' '}
      <Text color={row.tone === 'muted' ? undefined : toneColor(row.tone)} bold>
        {row.short}
      </Text>{' '}
      <Text bold>{row.subject}</Text> {row.summary}
    </Text>
  );
}

/** The events pane; `showLogs` says whether log events are among the rows (key l). */
export function Feed({ rows, height, showLogs = false }: { rows: FeedRow[]; height?: number; showLogs?: boolean }): ReactElement {
  return (
    <Pane height={height}>
      <Text bold>
        Events <Text color="gray">{showLogs ? '(with log events, l hides)' : '(log events hidden, l shows)'}</Text>
      </Text>
      {rows.length === 0 ? <Text color="gray">No events yet.</Text> : rows.map((r) => <FeedLine key={r.seq} row={r} />)}
    </Pane>
  );
}
