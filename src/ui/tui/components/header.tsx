// The header pane (web: templates/header.html): node, broker, counts, stream position, link.
// One line, cut at the terminal's width (a wrapped header would push the panes below it down),
// so what matters most comes first: the node, the broker and the link to the API.
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import type { HeaderView } from '../../../views/index.ts';
import { Badge } from './tone.tsx';

/** Props of the header. */
export interface HeaderProps {
  view: HeaderView;
  link: 'live' | 'reconnecting' | 'connecting';
}

/** The top line. */
export function Header({ view, link }: HeaderProps): ReactElement {
  const nodeTone = view.nodeStatus === 'up' ? 'ok' : view.nodeStatus === 'down' ? 'error' : 'muted';
  return (
    <Box borderStyle="round" borderColor="cyan" paddingX={1} height={3} flexShrink={0}>
      <Text wrap="truncate-end">
        <Text bold color="cyan">
          Nestor
        </Text>
        {'  node '}
        <Text bold>{view.node}</Text> <Badge tone={nodeTone} text={view.nodeStatus} />
        {'  broker '}
        <Badge tone={view.brokerTone} text={view.broker} />
        {'  '}
        {link === 'live' ? <Text color="green">● live</Text> : <Text color="yellow">○ {link}…</Text>}
        {`  ${view.summary}  `}
        <Text color="gray">{view.nats || '-'}</Text>
        {'  seq '}
        <Text color="gray">{view.seq}</Text>
      </Text>
    </Box>
  );
}
