// The terminal UI's runs screen (key R): the header, the runs list, the selected run's detail
// (beside the list from 120 columns, below it otherwise) and a key bar with the run commands,
// or the tune prompt while one is typed. Like the main screen, every pane has a fixed height so
// the screen fits the terminal (80x24 included).
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import type { Run } from '../../runs/core/index.ts';
import { runById, runList } from '../../state/index.ts';
import { RUN_UI_ACTIONS, selectHeader, selectRunDetail, selectRunRows } from '../../views/index.ts';
import type { TuiView } from './view.ts';
import { Header } from './components/header.tsx';
import { KeyLine } from './components/help.tsx';
import { RunDetailPane, RunsList } from './components/runs.tsx';
import { PANE_CHROME, WIDE_COLUMNS } from './layout.ts';

const HEADER = 3;
const KEY_BAR = 1;

/** The runs screen. */
export function RunsScreen({ view, runs }: { view: TuiView; runs: { selected: string | null; full: Run | null; tune: string | null } }): ReactElement {
  const rows = selectRunRows(runList(view.state.runs), view.now);
  const summary = runs.selected === null ? undefined : runById(view.state.runs, runs.selected);
  // The registry's record adds the transitions and commands; the reduced summary has the history the sparkline draws.
  const detail =
    summary === undefined
      ? null
      : (() => {
          const d = selectRunDetail(summary, view.now);
          if (runs.full === null || runs.full.id !== summary.id) return d;
          const full = selectRunDetail(runs.full, view.now);
          return { ...d, transitions: full.transitions, commands: full.commands };
        })();
  const height = Math.max(HEADER + KEY_BAR + 2 * (PANE_CHROME + 2), (view.rows ?? 40) - 1);
  const body = height - HEADER - KEY_BAR;
  const wide = view.columns >= WIDE_COLUMNS;
  const sideWidth = wide ? Math.min(80, Math.floor(view.columns * 0.5)) : view.columns;
  // One column: the detail takes what its lines need while the list keeps a third of the body
  // (or all its rows, when fewer); the list gets the rest.
  const listNatural = PANE_CHROME + 1 + Math.max(1, rows.length);
  const detailNatural = PANE_CHROME + 5 + (detail === null ? 0 : (detail.fields.some((f) => f.label === 'Error') ? 1 : 0) + detail.transitions.length + detail.commands.length);
  const minList = Math.min(listNatural, Math.max(PANE_CHROME + 2, Math.floor(body / 3)));
  const detailHeight = wide ? body : Math.max(PANE_CHROME + 2, Math.min(detailNatural, body - minList));
  const listHeight = wide ? body : body - detailHeight;
  return (
    <Box flexDirection="column" width={view.columns} height={height} overflow="hidden">
      <Header view={selectHeader(view.state, view.node, view.broker)} link={view.link} />
      <Box flexDirection={wide ? 'row' : 'column'} height={body}>
        <Box flexDirection="column" width={wide ? view.columns - sideWidth : view.columns}>
          <RunsList rows={rows} selected={runs.selected} height={listHeight} />
        </Box>
        <Box flexDirection="column" width={sideWidth}>
          <RunDetailPane detail={detail} height={detailHeight} width={sideWidth} />
        </Box>
      </Box>
      <RunsKeyBar toast={view.toast} readOnly={view.readOnly} tune={runs.tune} target={runs.selected} />
    </Box>
  );
}

/** The runs screen's key bar: the tune prompt while typing, else the outcome of the last command and the keys. */
export function RunsKeyBar({ toast, readOnly = false, tune, target }: { toast: TuiView['toast']; readOnly?: boolean; tune: string | null; target: string | null }): ReactElement {
  if (tune !== null) {
    return (
      <Box height={1} flexShrink={0}>
        <Text wrap="truncate-end">
          <Text bold color="cyan">{`tune ${target ?? ''}: `}</Text>
          {`${tune}▏  `}
          <Text color="gray">Enter sends · Esc cancels</Text>
        </Text>
      </Box>
    );
  }
  const keys: [string, string][] = [...RUN_UI_ACTIONS.map((a): [string, string] => [a.key, a.label.toLowerCase()]), ['j/k', 'select'], ['R', 'services'], ['q', 'quit']];
  return <KeyLine keys={keys} toast={toast} readOnly={readOnly} />;
}
