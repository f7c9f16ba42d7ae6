// What the terminal UI draws: everything on its screen, in one value (src/ui/tui/app.tsx draws it).
import type { NestorEvent, Stored } from '../../events/index.ts';
import type { Run } from '../../runs/core/index.ts';
import type { State } from '../../state/index.ts';
import type { HeaderView, NodeRow } from '../../views/index.ts';

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
  /** Terminal rows; the screen is one line shorter (40 when unknown). */
  rows?: number;
  readOnly?: boolean;
  /** The feeds show `service.log` events too (key l). */
  showLogs?: boolean;
  /** `logs` are every service's, interleaved by time (key a). */
  allLogs?: boolean;
  /** The nodes pane, open (key n) with its rows and selected node; null or absent when closed. */
  nodes?: { rows: NodeRow[]; selected: string | null } | null;
  /** The runs view, open (key R): the selected run, its registry record when fetched, the tune text being typed (null when not). */
  runs?: { selected: string | null; full: Run | null; tune: string | null } | null;
}
