// The whole dashboard page (GET /status): every fragment rendered now, so the page is complete
// before its event stream connects, plus the few Datastar expressions that keep it live: open
// the stream, reopen it when it ends, track whether it is live, highlight the selection, and
// the keys (the same as the terminal UI's).
import { initialSelection, selectGraph, selectHeader, selectNodes, selectServiceRows } from '../../views/index.ts';
import type { NestorEvent, Stored } from '../../events/index.ts';
import type { State } from '../../state/index.ts';
import type { HeaderView, MemberRow } from '../../views/index.ts';
import { renderGraph } from './graph-svg.ts';
import { renderDetails, renderFeed, renderHeader, renderHelp, renderNodes, renderServices } from './render.ts';
import type { RenderContext } from './render.ts';
import { raw, render } from './templates.ts';

/** Inputs of the page. */
export interface PageInput {
  state: State;
  recent: readonly Stored<NestorEvent>[];
  node: string;
  broker: HeaderView['broker'];
  logs(id: string): string[];
  now: Date;
  /** The membership's judgement of the nodes, when the node has one. */
  members?: MemberRow[] | null;
}

// Signals the page keeps: which service is selected, whether the stream is live, whether a
// stream request is under way, whether the help is open, whether the feeds show log events. Nothing else lives in the browser.
// Instance names hold an `@`, which a CSS id selector takes only escaped.
const SELECTION_CSS =
  "$selected ? '#row-' + CSS.escape($selected) + '{background:var(--sel)} #detail-' + CSS.escape($selected) + '{display:block} #detail-none{display:none}' : '#detail-none{display:block}'";

const TRACK = [
  "evt.detail.elId == 'stream' && evt.detail.type == 'started' && ($pending = true)",
  "evt.detail.elId == 'stream' && (evt.detail.type == 'finished' || evt.detail.type == 'retrying' || evt.detail.type == 'error') && ($live = false)",
  "evt.detail.elId == 'stream' && evt.detail.type == 'finished' && ($pending = false)",
].join('; ');

const KEYS = [
  "const ids = [...document.querySelectorAll('[data-service-row]')].map((r) => r.dataset.serviceRow)",
  'const i = ids.indexOf($selected)',
  "if (evt.key == 'j' || evt.key == 'ArrowDown') $selected = ids[Math.min(ids.length - 1, i + 1)] ?? ''",
  "if (evt.key == 'k' || evt.key == 'ArrowUp') $selected = ids[Math.max(0, i - 1)] ?? ''",
  "if (evt.key == '?') $help = !$help",
  "if (evt.key == 'Escape') $help = false",
  "if (evt.key == 'l') $logs = !$logs",
  "if (evt.key == 'R') location.href = document.querySelector('[data-field=runs-link]').href",
  "const verb = { e: 'enable', d: 'disable', r: 'restart' }[evt.key]",
  "verb && $selected && document.querySelector('#row-' + CSS.escape($selected) + ' button[data-verb=' + verb + ']')?.click()",
].join('; ');

/** The full HTML page. */
export function renderPage(p: PageInput, c: RenderContext): string {
  const stream = `@get('/status/stream${c.query}')`;
  const first = initialSelection(p.state) ?? '';
  return render('page.html', {
    node: p.node,
    styleUrl: `/status/assets/style.css${c.query}`,
    scriptUrl: `/status/assets/datastar.js${c.query}`,
    followUrl: `/status/assets/follow-log.js${c.query}`,
    runsUrl: `/status/runs${c.query}`,
    selectionCss: SELECTION_CSS,
    signals: JSON.stringify({ selected: first, live: false, pending: false, help: false, logs: false }),
    keys: KEYS,
    connect: stream,
    reconnect: `!$pending && ${stream}`,
    track: TRACK,
    header: raw(renderHeader(selectHeader(p.state, p.node, p.broker), c)),
    services: raw(renderServices(selectServiceRows(p.state, p.now), c)),
    nodes: raw(renderNodes(selectNodes(p.state, p.members ?? null), c)),
    graph: raw(renderGraph(selectGraph(p.state))),
    feed: raw(renderFeed(p.recent)),
    details: raw(renderDetails(p.state, p.recent, p.logs, p.now, c)),
    help: raw(renderHelp()),
  });
}
