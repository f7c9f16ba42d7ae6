// Renders the dashboard's fragments from the shared view models of src/views. Every fragment
// is one element with a stable id, so the page can be rendered whole (GET /status) or merged
// piece by piece over SSE (Datastar morphs by id).
import type { NestorEvent, Stored } from '../../events/index.ts';
import {
  NAVIGATION_KEYS,
  NODE_UI_ACTIONS,
  SERVICE_ACTIONS,
  availableActions,
  availableNodeActions,
  caddySummary,
  detailFields,
  isAbout,
  nodeTone,
  selectFeedEither,
  selectHealth,
  selectService,
  selectServiceRows,
} from '../../views/index.ts';
import type { State } from '../../state/index.ts';
import type { FeedRow, HeaderView, NodeRow, ServiceDetail, ServiceRow } from '../../views/index.ts';
import { escapeHtml, raw, render } from './templates.ts';

/** What rendering needs besides the view models. */
export interface RenderContext {
  /** `?token=…` when a token is configured, else ''. Added to every URL the page requests. */
  query: string;
  /** Host for links to services' ports. */
  linkHost: string;
  readOnly: boolean;
}

/** Feed rows on the page; detail panes show fewer. */
export const FEED_ROWS = 40;
const DETAIL_EVENTS = 12;
/** Log lines in a detail pane. */
export const LOG_LINES = 20;

/** The `#header` fragment. */
export function renderHeader(h: HeaderView, c: Pick<RenderContext, 'readOnly'>): string {
  return render('header.html', {
    node: h.node,
    nodeStatus: h.nodeStatus,
    nodeTone: h.nodeStatus === 'up' ? 'ok' : h.nodeStatus === 'down' ? 'error' : 'muted',
    broker: h.broker,
    brokerTone: h.brokerTone,
    nats: h.nats || '-',
    summary: h.summary,
    seq: h.seq,
    readOnly: raw(c.readOnly ? '<span class="badge tone-warn" data-field="read-only">read-only</span>' : ''),
  });
}

/** The `#services` table. */
export function renderServices(rows: ServiceRow[], c: RenderContext): string {
  const body =
    rows.length === 0
      ? '<tr><td colspan="9" class="empty">No services registered yet.</td></tr>'
      : rows
          .map((r) => {
            const health = selectHealth(r.health);
            return render('service-row.html', {
              id: r.id,
              rowClass: r.instance === null ? 'service' : 'instance',
              node: r.node || '-',
              displayName: r.displayName,
              state: r.state,
              tone: r.tone,
              waiting: raw(
                r.blocked !== null
                  ? `<span class="waiting">${escapeHtml(r.blocked)}</span>`
                  : r.waitingFor.length > 0
                    ? `<span class="waiting">waiting for ${escapeHtml(r.waitingFor.join(', '))}</span>`
                    : r.nextRun !== null
                      ? `<span class="waiting" data-field="next-run">${escapeHtml(r.nextRun)}</span>`
                      : '',
              ),
              select: `$selected = '${r.id}'`,
              pid: r.pid ?? '-',
              ports: raw(r.pid === null ? escapeHtml(r.ports.join(' ') || '-') : portLinks(r.ports, c.linkHost)),
              restarts: r.restarts,
              uptime: r.uptime,
              health: health.text,
              healthTone: health.tone,
              actions: raw(actionButtons(r, c)),
            });
          })
          .join('\n');
  return render('services.html', { rows: raw(body) });
}

/** The `#details` container with one (hidden until selected) pane per row: each service, and each instance of a replicated one. */
export function renderDetails(state: State, recent: readonly Stored<NestorEvent>[], logs: (id: string) => string[], now: Date, c: RenderContext): string {
  const panes = selectServiceRows(state, now).flatMap((r) => {
    const detail = detailFor(state, r.id, now);
    return detail === null ? [] : [renderDetail(detail, recent, logs(r.id), c)];
  });
  return `<div id="details">${panes.join('\n')}</div>`;
}

/** The detail a row's pane shows, under the row's id (`web@1` shows the record `web` as web@1). */
export function detailFor(state: State, id: string, now: Date): ServiceDetail | null {
  const detail = selectService(state, id, now);
  return detail === null ? null : { ...detail, id };
}

/** The `#nodes` table: each node with its state, tags, instances and the drain/undrain buttons. */
export function renderNodes(rows: NodeRow[], c: RenderContext): string {
  const body =
    rows.length === 0
      ? '<tr><td colspan="7" class="empty">No nodes known yet.</td></tr>'
      : rows
          .map((n) =>
            render('node-row.html', {
              id: n.id,
              address: n.address,
              state: n.state,
              tone: nodeTone(n.state),
              tags: n.tags.join(', ') || '-',
              instanceCount: n.instances.length,
              instanceList: n.instances.join(' '),
              caddy: caddySummary(n.caddy),
              routes: raw(
                [
                  ...(n.caddy?.routes ?? []).map((r) => `<div class="sub" data-field="caddy-route">${escapeHtml(r)}</div>`),
                  ...(n.caddy?.certificates ?? []).map((c) => `<div class="sub" data-field="caddy-certificate">${escapeHtml(c)}</div>`),
                ].join(''),
              ),
              lastSeen: n.lastSeen ?? '-',
              actions: raw(nodeButtons(n, c)),
            }),
          )
          .join('\n');
  return render('nodes.html', { rows: raw(body) });
}

function nodeButtons(n: NodeRow, c: RenderContext): string {
  const available = new Set(availableNodeActions(n));
  return NODE_UI_ACTIONS.map((a) => {
    const enabled = available.has(a.action) && !c.readOnly;
    const title = c.readOnly ? 'read-only' : `${a.label} ${n.id} (nodes pane of the TUI: n, then ${a.key})`;
    const action = `@post('/status/nodes/${n.id}/${a.action}${c.query}')`;
    return `<button type="button" data-node-action="${a.action}" title="${escapeHtml(title)}"${enabled ? '' : ' disabled'} data-on-click__stop="${escapeHtml(action)}">${escapeHtml(a.label)}</button>`;
  }).join('');
}

/** One service's `#detail-<id>` pane: fields, actions, log tail, recent events. */
export function renderDetail(d: ServiceDetail, recent: readonly Stored<NestorEvent>[], logLines: string[], c: RenderContext): string {
  const fields = detailFields(d)
    .map((f) => `<dt>${escapeHtml(f.label)}</dt><dd data-field="${escapeHtml(f.label.toLowerCase().replace(/\s+/g, '-'))}">${escapeHtml(f.value)}</dd>`)
    .join('');
  // Both filters' rows: the page hides the log rows in the browser unless its toggle is on.
  const events = selectFeedEither(recent, DETAIL_EVENTS, (e) => isAbout(e, d.id));
  return render('detail.html', {
    id: d.id,
    displayName: d.displayName || d.id,
    tone: d.tone,
    state: d.state,
    description: d.description || '',
    actions: raw(actionButtons(d, c)),
    fields: raw(fields),
    logCount: logLines.length,
    query: c.query,
    logText: logLines.length === 0 ? '(no output yet)' : logLines.join('\n'),
    events: raw(events.length === 0 ? '<li class="empty">No recent events.</li>' : events.map(feedRow).join('')),
  });
}

/** The `#feed` list: the latest events, newest first, log events marked for the page's filter. */
export function renderFeed(recent: readonly Stored<NestorEvent>[]): string {
  const rows = selectFeedEither(recent, FEED_ROWS);
  return render('feed.html', { rows: raw(rows.length === 0 ? '<li class="empty">No events yet.</li>' : rows.map(feedRow).join('\n')) });
}

/** The `#help` overlay: the same keys as the terminal UI. */
export function renderHelp(): string {
  const rows = [
    ...NAVIGATION_KEYS.map((k) => [k.key, k.label]),
    ...SERVICE_ACTIONS.map((a) => [a.key, `${a.label.toLowerCase()} the selected service`]),
    ...NODE_UI_ACTIONS.map((a) => [`n ${a.key}`, `${a.label.toLowerCase()} the selected node (the Nodes panel's buttons here)`]),
  ]
    .filter(([key]) => key !== 'q')
    .map(([key, label]) => `<tr><td><kbd>${escapeHtml(key)}</kbd></td><td>${escapeHtml(label)}</td></tr>`)
    .join('');
  return render('help.html', { rows: raw(rows) });
}

/** The command outcome toast. */
export function renderToast(ok: boolean, text: string): string {
  return `<div id="toast" class="toast tone-${ok ? 'ok' : 'error'}" role="status">${escapeHtml(text)}</div>`;
}

function feedRow(r: FeedRow): string {
  return render('feed-row.html', { tone: r.tone, logClass: r.log ? ' ev-log' : '', seq: r.seq, time: r.time, short: r.short, subject: r.subject, summary: r.summary });
}

function portLinks(ports: string[], host: string): string {
  if (ports.length === 0) return '-';
  return ports
    .map((p) => {
      const port = p.slice(p.lastIndexOf(':') + 1);
      return `<a href="http://${escapeHtml(host)}:${escapeHtml(port)}/" target="_blank" rel="noopener">${escapeHtml(p)}</a>`;
    })
    .join('');
}

function actionButtons(s: { id: string; enabled: boolean; state: ServiceRow['state'] }, c: RenderContext): string {
  const available = new Set(availableActions(s));
  return SERVICE_ACTIONS.map((a) => {
    const enabled = available.has(a.verb) && !c.readOnly;
    const title = c.readOnly ? 'read-only' : `${a.label} ${s.id} (key ${a.key})`;
    const action = `@post('/status/services/${s.id}/${a.verb}${c.query}')`;
    return `<button type="button" data-verb="${a.verb}" title="${escapeHtml(title)}"${enabled ? '' : ' disabled'} data-on-click__stop="${escapeHtml(action)}">${escapeHtml(a.label)}</button>`;
  }).join('');
}
