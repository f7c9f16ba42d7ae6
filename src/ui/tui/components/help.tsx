// The help pane (web: templates/help.html): the keys, which are the same in both UIs.
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import { NAVIGATION_KEYS, NODE_UI_ACTIONS, SERVICE_ACTIONS } from '../../../views/index.ts';
import { Pane } from './pane.tsx';

/** The full help, cut to `height` rows. */
export function Help({ height }: { height?: number }): ReactElement {
  const rows = [
    ...NAVIGATION_KEYS.map((k) => [k.key, k.label]),
    ...SERVICE_ACTIONS.map((a) => [a.key, `${a.label.toLowerCase()} the selected service`]),
    ...NODE_UI_ACTIONS.map((a) => [`n ${a.key}`, `${a.label.toLowerCase()} the selected node (nodes pane)`]),
  ];
  return (
    <Pane height={height} border="round" color="cyan">
      <Text bold>Keys</Text>
      {rows.map(([key, label]) => (
        <Text key={key} wrap="truncate-end">
          <Text bold color="cyan">
            {(key as string).padEnd(10)}
          </Text>
          {label}
        </Text>
      ))}
      <Text color="gray" wrap="truncate-end">
        The web dashboard (/status) has the same panes and keys.
      </Text>
    </Pane>
  );
}

/** Props of the key bar. */
export interface KeyBarProps {
  toast: { ok: boolean; text: string } | null;
  readOnly?: boolean;
  /** The feeds show log events (key l). */
  showLogs?: boolean;
  /** The nodes pane is open: d and u act on nodes. */
  nodes?: boolean;
  /** The log pane shows every service's log (key a). */
  allLogs?: boolean;
}

const KEYS: [string, string][] = [['j/k', 'select']];

/** The one-line key bar at the bottom: read-only and the last command's outcome first, so a narrow terminal cuts keys, not news. */
export function KeyBar({ toast, readOnly = false, showLogs = false, nodes = false, allLogs = false }: KeyBarProps): ReactElement {
  const actions = nodes ? NODE_UI_ACTIONS.map((a): [string, string] => [a.key, a.label.toLowerCase()]) : SERVICE_ACTIONS.map((a): [string, string] => [a.key, a.label.toLowerCase()]);
  const keys: [string, string][] = [...actions, ...KEYS, ['l', showLogs ? 'hide logs' : 'logs'], ['a', allLogs ? 'one log' : 'all logs'], ['n', nodes ? 'services' : 'nodes'], ['R', 'runs'], ['?', 'help'], ['q', 'quit']];
  return <KeyLine keys={keys} toast={toast} readOnly={readOnly} />;
}

/** One line of keys and their labels, after read-only and the last command's outcome (every screen's key bar). */
export function KeyLine({ keys, toast, readOnly }: { keys: [string, string][]; toast: KeyBarProps['toast']; readOnly: boolean }): ReactElement {
  return (
    <Box height={1} flexShrink={0}>
      <Text wrap="truncate-end">
        {readOnly ? <Text color="yellow">{'read-only  '}</Text> : null}
        {toast === null ? null : <Text color={toast.ok ? 'green' : 'red'}>{`${toast.text}  `}</Text>}
        {keys.map(([key, label], i) => (
          <Text key={key}>
            <Text bold color="cyan">
              {key}
            </Text>
            {` ${label}${i < keys.length - 1 ? '  ' : ''}`}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
