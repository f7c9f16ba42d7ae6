// How the terminal UI's panes share the terminal: every pane gets a fixed height and the whole
// screen is one line shorter than the terminal (Ink ends its frame with a newline; a frame as
// tall as the terminal scrolls the header away). The services table always stays; the other
// panes shrink, and hide when too small to say anything.

/** What a pane would like: its natural height, the least worth drawing, an optional first-pass cap. */
export interface PaneAsk {
  natural: number;
  min: number;
  cap?: number;
}

/** Pane heights, 0 for a hidden pane. */
export interface TuiLayout {
  /** The detail goes beside the lists (else below them). */
  wide: boolean;
  /** Width of the right column when wide. */
  sideWidth: number;
  /** Lines of the frame: the terminal's rows less one. */
  height: number;
  header: number;
  keyBar: number;
  services: number;
  graph: number;
  feed: number;
  help: number;
  detail: number;
}

/** Natural heights of the panes, as the screen's content asks for them. */
export interface LayoutInput {
  columns: number;
  rows: number;
  services: number;
  graph: number;
  feed: number;
  help: number;
  detail: number;
  /** The graph's place holds the nodes pane, which a person opened to look at: it goes before the detail. */
  nodesFirst?: boolean;
}

/** Pane borders (2) and a title line. */
export const PANE_CHROME = 3;
const HEADER = 3;
const KEY_BAR = 1;
/** From this width on, the detail sits beside the lists. */
export const WIDE_COLUMNS = 120;

/** Gives each pane, in priority order, what it asks for while there is room; leftovers go to capped panes. */
export function allocate(budget: number, asks: PaneAsk[]): number[] {
  const out = asks.map(() => 0);
  let left = Math.max(0, budget);
  asks.forEach((a, i) => {
    const want = Math.min(a.natural, a.cap ?? a.natural, left);
    if (want >= a.min) {
      out[i] = want;
      left -= want;
    }
  });
  asks.forEach((a, i) => {
    const got = out[i] as number;
    if (got === 0 || got >= a.natural || left === 0) return;
    const more = Math.min(left, a.natural - got);
    out[i] = got + more;
    left -= more;
  });
  return out;
}

/** Lays the screen out for a terminal of `columns` × `rows`. */
export function layoutTui(input: LayoutInput): TuiLayout {
  const wide = input.columns >= WIDE_COLUMNS;
  const height = Math.max(HEADER + KEY_BAR + PANE_CHROME + 1, input.rows - 1);
  const body = height - HEADER - KEY_BAR;
  const services = Math.min(input.services, body);
  const base = { wide, sideWidth: wide ? Math.min(70, Math.floor(input.columns * 0.42)) : 0, height, header: HEADER, keyBar: KEY_BAR, services };
  if (wide) {
    const [graph = 0, feed = 0] = allocate(body - services, [
      { natural: input.graph, min: PANE_CHROME + 1 },
      { natural: Math.max(input.feed, body), min: PANE_CHROME + 1 },
    ]);
    const [help = 0, detail = 0] = allocate(body, [
      { natural: input.help, min: PANE_CHROME + 1 },
      { natural: Math.max(input.detail, body), min: PANE_CHROME + 1 },
    ]);
    return { ...base, graph, feed, help, detail };
  }
  // One column: the help when asked for, then the selected service, then the rest.
  const rest = body - services;
  const detailAsk = { natural: input.detail, min: PANE_CHROME + 1, cap: Math.max(PANE_CHROME + 5, Math.floor(rest * 0.55)) };
  if (input.nodesFirst === true) {
    const [help = 0, graph = 0, detail = 0, feed = 0] = allocate(rest, [
      { natural: input.help, min: PANE_CHROME + 1 },
      { natural: input.graph, min: PANE_CHROME + 2, cap: Math.max(PANE_CHROME + 2, Math.floor(rest * 0.5)) },
      detailAsk,
      { natural: input.feed, min: PANE_CHROME + 1 },
    ]);
    return { ...base, graph, feed, help, detail };
  }
  const [help = 0, detail = 0, graph = 0, feed = 0] = allocate(rest, [
    { natural: input.help, min: PANE_CHROME + 1 },
    detailAsk,
    { natural: input.graph, min: PANE_CHROME + 1 },
    { natural: input.feed, min: PANE_CHROME + 1 },
  ]);
  return { ...base, graph, feed, help, detail };
}
