// The terminal UI's screen, drawn from the shared view models only (the same selectors as the
// web dashboard): header, services, dependencies and events on the left, the selected
// service's detail on the right (below on narrow terminals), the key bar at the bottom.
import { Box } from 'ink';
import type { ReactElement } from 'react';
import type { NestorEvent, Stored } from '../../events/index.ts';
import { recentFor, selectFeed, selectGraph, selectHeader, selectService, selectServiceRows } from '../../views/index.ts';
import type { State } from '../../state/index.ts';
import type { HeaderView } from '../../views/index.ts';
import { Detail } from './components/detail.tsx';
import { Feed } from './components/feed.tsx';
import { Graph } from './components/graph.tsx';
import { Header } from './components/header.tsx';
import { Help, KeyBar } from './components/help.tsx';
import { ServicesTable } from './components/services-table.tsx';

/** Everything on the screen; the TUI keeps nothing else. */
export interface TuiView {
  state: State;
  recent: readonly Stored<NestorEvent>[];
  node: string;
  broker: HeaderView['broker'];
  link: 'live' | 'reconnecting' | 'connecting';
  selected: string | null;
  logs: string[];
  help: boolean;
  toast: { ok: boolean; text: string } | null;
  now: Date;
  /** Terminal columns; below 120 the detail goes under the lists. */
  columns: number;
  readOnly?: boolean;
  /** Feed lines to show. */
  feedRows?: number;
}

/** The whole screen. */
export function App({ view }: { view: TuiView }): ReactElement {
  const rows = selectServiceRows(view.state, view.now);
  const detail = view.selected === null ? null : selectService(view.state, view.selected, view.now);
  const wide = view.columns >= 120;
  const left = (
    <Box flexDirection="column" flexGrow={1} flexBasis={0}>
      <ServicesTable rows={rows} selected={view.selected} />
      <Graph layout={selectGraph(view.state)} />
      <Feed rows={selectFeed(view.recent, view.feedRows ?? 8)} />
    </Box>
  );
  const right = (
    <Box flexDirection="column" flexGrow={wide ? 0 : 1} width={wide ? Math.min(70, Math.floor(view.columns * 0.42)) : undefined}>
      {view.help ? <Help /> : null}
      <Detail detail={detail} logs={view.logs} events={view.selected === null ? [] : recentFor(view.recent, view.selected, 6)} readOnly={view.readOnly} />
    </Box>
  );
  return (
    <Box flexDirection="column" width={view.columns}>
      <Header view={selectHeader(view.state, view.node, view.broker)} link={view.link} />
      <Box flexDirection={wide ? 'row' : 'column'}>
        {left}
        {right}
      </Box>
      <KeyBar toast={view.toast} readOnly={view.readOnly} />
    </Box>
  );
}
