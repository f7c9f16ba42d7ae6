// The terminal UI's screen, drawn from the shared view models only (the same selectors as the
// web dashboard): header, services, dependencies and events on the left, the selected
// service's detail on the right (below on narrow terminals), the key bar at the bottom. Every
// pane has a fixed height from layoutTui, so the screen fits the terminal it is given.
import { Box } from 'ink';
import type { ReactElement } from 'react';
import { NAVIGATION_KEYS, NODE_UI_ACTIONS, SERVICE_ACTIONS, recentFor, selectFeed, selectGraph, selectHeader, selectService, selectServiceRows } from '../../views/index.ts';
import { Detail, detailHeight } from './components/detail.tsx';
import { Feed } from './components/feed.tsx';
import { Graph } from './components/graph.tsx';
import { Header } from './components/header.tsx';
import { Help, KeyBar } from './components/help.tsx';
import { NodesPane } from './components/nodes.tsx';
import { RunsScreen } from './runs-screen.tsx';
import { ServicesTable } from './components/services-table.tsx';
import { PANE_CHROME, layoutTui } from './layout.ts';
import type { TuiView } from './view.ts';
import type { NodeRow } from '../../views/index.ts';

export type { TuiView } from './view.ts';

const DETAIL_EVENTS = 6;

/** The whole screen. */
export function App({ view }: { view: TuiView }): ReactElement {
  if (view.runs) return <RunsScreen view={view} runs={view.runs} />;
  const rows = selectServiceRows(view.state, view.now);
  const detail = view.selected === null ? null : selectService(view.state, view.selected, view.now);
  const filter = { logs: view.showLogs === true };
  const events = view.selected === null ? [] : recentFor(view.recent, view.selected, DETAIL_EVENTS, filter);
  const graph = selectGraph(view.state);
  const layout = layoutTui({
    columns: view.columns,
    rows: view.rows ?? 40,
    services: PANE_CHROME + 1 + Math.max(1, rows.length),
    // The nodes pane, when open, takes the dependency graph's place.
    graph: view.nodes ? PANE_CHROME + 1 + Math.max(1, view.nodes.rows.length) + caddyRouteLines(view.nodes) : PANE_CHROME + Math.max(1, graph.nodes.length),
    feed: PANE_CHROME + Math.max(1, selectFeed(view.recent, 50, filter).length),
    help: view.help ? PANE_CHROME + 1 + NAVIGATION_KEYS.length + SERVICE_ACTIONS.length + NODE_UI_ACTIONS.length : 0,
    detail: detailHeight(detail, view.logs.length, events.length),
    nodesFirst: Boolean(view.nodes),
  });
  const leftWidth = layout.wide ? view.columns - layout.sideWidth : view.columns;
  const left = (
    <Box flexDirection="column" width={leftWidth}>
      <ServicesTable rows={rows} selected={view.selected} height={layout.services} width={leftWidth} />
      {layout.graph > 0 && view.nodes ? <NodesPane rows={view.nodes.rows} selected={view.nodes.selected} height={layout.graph} /> : null}
      {layout.graph > 0 && !view.nodes ? <Graph layout={graph} height={layout.graph} /> : null}
      {layout.feed > 0 ? <Feed rows={selectFeed(view.recent, layout.feed - PANE_CHROME, filter)} height={layout.feed} showLogs={filter.logs} /> : null}
    </Box>
  );
  const side = (
    <>
      {layout.help > 0 ? <Help height={layout.help} /> : null}
      {layout.detail > 0 ? <Detail detail={detail} logs={view.logs} allLogs={view.allLogs === true} events={events} readOnly={view.readOnly} height={layout.detail} /> : null}
    </>
  );
  return (
    <Box flexDirection="column" width={view.columns} height={layout.height} overflow="hidden">
      <Header view={selectHeader(view.state, view.node, view.broker)} link={view.link} />
      {layout.wide ? (
        <Box flexDirection="row" height={layout.height - layout.header - layout.keyBar}>
          {left}
          <Box flexDirection="column" width={layout.sideWidth}>
            {side}
          </Box>
        </Box>
      ) : (
        <Box flexDirection="column" height={layout.height - layout.header - layout.keyBar}>
          {left}
          {side}
        </Box>
      )}
      <KeyBar toast={view.toast} readOnly={view.readOnly} showLogs={filter.logs} nodes={Boolean(view.nodes)} allLogs={view.allLogs === true} />
    </Box>
  );
}

// Rows the nodes pane gives to the selected node's Caddy routes.
function caddyRouteLines(nodes: { rows: NodeRow[]; selected: string | null }): number {
  return nodes.rows.find((r) => r.id === nodes.selected)?.caddy?.routes.length ?? 0;
}
