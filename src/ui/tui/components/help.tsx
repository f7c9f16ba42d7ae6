// The help pane (web: templates/help.html): the keys, which are the same in both UIs.
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import { NAVIGATION_KEYS, SERVICE_ACTIONS } from '../../../views/index.ts';

/** The full help. */
export function Help(): ReactElement {
  const rows = [...NAVIGATION_KEYS.map((k) => [k.key, k.label]), ...SERVICE_ACTIONS.map((a) => [a.key, `${a.label.toLowerCase()} the selected service`])];
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold>Keys</Text>
      {rows.map(([key, label]) => (
        <Text key={key}>
          <Text bold color="cyan">
            {(key as string).padEnd(10)}
          </Text>
          {label}
        </Text>
      ))}
      <Text color="gray">The web dashboard (/status) has the same panes and keys.</Text>
    </Box>
  );
}

/** The one-line key bar at the bottom. */
export function KeyBar({ toast, readOnly = false }: { toast: { ok: boolean; text: string } | null; readOnly?: boolean }): ReactElement {
  return (
    <Box columnGap={2}>
      {SERVICE_ACTIONS.map((a) => (
        <Text key={a.verb}>
          <Text bold color="cyan">
            {a.key}
          </Text>{' '}
          {a.label.toLowerCase()}
        </Text>
      ))}
      <Text>
        <Text bold color="cyan">
          j/k
        </Text>{' '}
        select
      </Text>
      <Text>
        <Text bold color="cyan">
          ?
        </Text>{' '}
        help
      </Text>
      <Text>
        <Text bold color="cyan">
          q
        </Text>{' '}
        quit
      </Text>
      {readOnly ? <Text color="yellow">read-only</Text> : null}
      {toast === null ? null : <Text color={toast.ok ? 'green' : 'red'}>{toast.text}</Text>}
    </Box>
  );
}
