// The header pane (web: templates/header.html): node, broker, counts, stream position, link.
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
    <Box borderStyle="round" borderColor="cyan" paddingX={1} columnGap={2} flexWrap="wrap">
      <Text bold color="cyan">
        Nestor
      </Text>
      <Text>
        node <Text bold>{view.node}</Text> <Badge tone={nodeTone} text={view.nodeStatus} />
      </Text>
      <Text>
        broker <Badge tone={view.brokerTone} text={view.broker} /> <Text color="gray">{view.nats || '-'}</Text>
      </Text>
      <Text>{view.summary}</Text>
      <Text>
        seq <Text color="gray">{view.seq}</Text>
      </Text>
      {link === 'live' ? <Text color="green">● live</Text> : <Text color="yellow">○ {link}…</Text>}
    </Box>
  );
}
