// The dashboard's runs page, mounted beside the dashboard:
//   GET  /status/runs[?run=ID&metric=M]         the page: the runs table, the selected run's detail
//   GET  /status/runs/fragments?run=ID&metric=M Datastar SSE: the table and the detail now (the page asks every 2 s)
//   POST /status/runs/:id/:type                 pause, resume, terminate, tune (signal `tune`: key=value pairs), answered with a toast
// The rows come from the node's reduced state (state.runs, with the heartbeat history the chart
// draws); the selected run's transitions and commands, and every command, go to the registry
// over the bus (nestor.runs.*), the path the CLI takes. Commands follow the dashboard's rules:
// refused when read-only, same-origin only and JSON bodies (the API's guard).
import type { IncomingMessage } from 'node:http';
import type { ApiContext, Route } from '../../api/index.ts';
import { SSE_HEADERS } from '../../api/index.ts';
import { isNoResponders, isTimeout, requestRuns } from '../../bus/index.ts';
import type { Run, RunSummary } from '../../runs/core/index.ts';
import { runById, runList } from '../../state/index.ts';
import type { RunTable } from '../../state/index.ts';
import { RUN_UI_ACTIONS, availableRunActions, initialRunSelection, isRunCommandType, parseTunePairs, selectRunDetail, selectRunRows } from '../../views/index.ts';
import type { RunChart, RunDetail, RunRow } from '../../views/index.ts';
import { mergeFragments } from './datastar.ts';
import type { RenderContext } from './render.ts';
import { renderToast } from './render.ts';
import { escapeHtml, raw, render } from './templates.ts';

/** What the runs page shows: the selected run and the metric its chart draws. */
export interface RunsPageInput {
  node: string;
  runs: RunTable;
  /** The selected run's full record from the registry (its transitions and commands), when it answered. */
  full: Run | null;
  selected: string | null;
  metric: string | undefined;
  now: Date;
}

const BODY_LIMIT = 64 * 1024;

/** The runs page's routes. */
export function runsRoutes(ctx: ApiContext, rc: RenderContext): Route[] {
  const input = async (url: URL): Promise<RunsPageInput> => {
    const runs = ctx.live.state.runs;
    const now = new Date();
    const asked = url.searchParams.get('run');
    const selected = asked !== null && runById(runs, asked) !== undefined ? asked : initialRunSelection(selectRunRows(runList(runs), now));
    const metric = url.searchParams.get('metric') ?? undefined;
    return { node: ctx.node, runs, full: selected === null ? null : await fullRun(ctx, selected), selected, metric, now };
  };
  return [
    {
      method: 'GET',
      path: '/status/runs',
      handle: async ({ res, url }) => {
        const html = renderRunsPage(await input(url), rc);
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(html);
      },
    },
    {
      method: 'GET',
      path: '/status/runs/fragments',
      handle: async ({ res, url }) => {
        const p = await input(url);
        res.writeHead(200, SSE_HEADERS);
        res.end(mergeFragments(renderRunsTable(p, rc)) + mergeFragments(renderRunDetail(p, rc)));
      },
    },
    {
      method: 'POST',
      path: '/status/runs/:id/:type',
      handle: async ({ req, res, params }) => {
        const { status, ok, text } = await command(ctx, req, params.id ?? '', params.type ?? '');
        res.writeHead(status, SSE_HEADERS);
        res.end(mergeFragments(renderToast(ok, text), { mergeMode: 'outer' }));
      },
    },
  ];
}

async function command(ctx: ApiContext, req: IncomingMessage, id: string, type: string): Promise<{ status: number; ok: boolean; text: string }> {
  if (!isRunCommandType(type)) return { status: 404, ok: false, text: `unknown run command "${type}"` };
  if (ctx.readOnly) return { status: 403, ok: false, text: 'read-only: commands are refused' };
  let params: Record<string, unknown> = {};
  if (type === 'tune') {
    const signals = await readJson(req);
    const text = typeof signals?.tune === 'string' ? signals.tune : '';
    const parsed = parseTunePairs(text.split(/\s+/).filter((p) => p !== ''));
    if (!parsed.ok) return { status: 400, ok: false, text: `tune ${id}: ${parsed.message}` };
    params = parsed.params;
  }
  try {
    const reply = await requestRuns<{ command: { id: string } }>(ctx.bus, 'command', { id, body: { type, params }, by: 'dashboard' });
    if (reply.ok) return { status: 200, ok: true, text: `${type} sent to ${id} (command ${reply.data.command.id}); the run changes when the job acknowledges` };
    const status = reply.code === 'not_found' ? 404 : reply.code === 'invalid' ? 400 : reply.code === 'too_large' ? 413 : 409;
    return { status, ok: false, text: reply.code === 'not_found' ? `no run ${id}` : `${type} ${id}: ${reply.message}` };
  } catch (err) {
    if (isNoResponders(err) || isTimeout(err)) return { status: 503, ok: false, text: 'no node answers run registry requests' };
    throw err;
  }
}

// The selected run as the registry has it; null when it does not answer (the summary still shows).
async function fullRun(ctx: ApiContext, id: string): Promise<Run | null> {
  try {
    const reply = await requestRuns<Run>(ctx.bus, 'get', { id }, 2_000);
    return reply.ok ? reply.data : null;
  } catch {
    return null;
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) return null;
    chunks.push(chunk);
  }
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A page URL with the token and these parameters. */
function pageUrl(path: string, c: RenderContext, params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams(c.query.startsWith('?') ? c.query.slice(1) : '');
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) q.set(k, v);
  const s = q.toString();
  return s === '' ? path : `${path}?${s}`;
}

/** The whole page. */
export function renderRunsPage(p: RunsPageInput, c: RenderContext): string {
  const tuneUrl = p.selected === null ? '' : pageUrl(`/status/runs/${encodeURIComponent(p.selected)}/tune`, c, {});
  const tune =
    p.selected === null || c.readOnly
      ? ''
      : `<div class="run-tune" id="run-tune"><input data-bind-tune placeholder="key=value ... (lr=0.01 batch=64)" aria-label="tune parameters"> <button type="button" data-run-action="tune" title="Tune ${escapeHtml(p.selected)} (TUI runs view: u)" data-on-click__stop="${escapeHtml(`@post('${tuneUrl}')`)}">Tune</button></div>`;
  return render('runs.html', {
    node: p.node,
    styleUrl: `/status/assets/style.css${c.query}`,
    scriptUrl: `/status/assets/datastar.js${c.query}`,
    backUrl: `/status${c.query}`,
    signals: JSON.stringify({ tune: '' }),
    refresh: `@get('${pageUrl('/status/runs/fragments', c, { run: p.selected, metric: p.metric })}')`,
    readOnly: raw(c.readOnly ? '<span class="badge tone-warn" data-field="read-only">read-only</span>' : ''),
    table: raw(renderRunsTable(p, c)),
    detail: raw(renderRunDetail(p, c)),
    tune: raw(tune),
  });
}

/** The `#runs` table: every run, health coloured, the selected one marked. */
export function renderRunsTable(p: RunsPageInput, c: RenderContext): string {
  const rows = selectRunRows(runList(p.runs), p.now, {}, p.metric);
  const body = rows.length === 0 ? '<tr><td colspan="8" class="empty">No runs yet.</td></tr>' : rows.map((r) => runRow(r, r.id === p.selected, c)).join('\n');
  return `<table id="runs" class="services runs"><thead><tr><th>Run</th><th>Experiment</th><th>State</th><th>Health</th><th>Step</th><th>Ckpt</th><th>Heartbeat</th><th>Pending</th><th>Metric</th></tr></thead><tbody>${body}</tbody></table>`;
}

function runRow(r: RunRow, selected: boolean, c: RenderContext): string {
  const href = escapeHtml(pageUrl('/status/runs', c, { run: r.id }));
  return (
    `<tr id="run-${escapeHtml(r.id)}" data-run-row="${escapeHtml(r.id)}" data-state="${r.state}" data-health="${r.health}"${selected ? ' class="selected"' : ''}>` +
    `<td><a class="run-link" href="${href}"><strong>${escapeHtml(r.id)}</strong></a></td>` +
    `<td>${escapeHtml(r.experiment)}</td>` +
    `<td><span class="badge tone-${r.stateTone}" data-field="state">${r.state}</span></td>` +
    `<td><span class="badge tone-${r.healthTone}" data-field="health">${r.health}</span></td>` +
    `<td data-field="step">${r.step}</td><td data-field="checkpoint">${r.checkpoint}</td>` +
    `<td data-field="heartbeat">${escapeHtml(r.heartbeat)}</td><td data-field="pending">${r.pending}</td>` +
    `<td data-field="metric">${r.metric === null ? '-' : `${escapeHtml(r.metric)} ${escapeHtml(r.metricValue)} <span class="spark">${r.sparkline}</span>`}</td></tr>`
  );
}

/** The `#run-detail` fragment: the selected run's facts, commands, chart, transitions and commands sent. */
export function renderRunDetail(p: RunsPageInput, c: RenderContext): string {
  const summary = p.selected === null ? undefined : runById(p.runs, p.selected);
  if (summary === undefined) return '<div id="run-detail"><p class="empty">Select a run.</p></div>';
  const d = selectRunDetail(summary, p.now, p.metric);
  const full = p.full !== null && p.full.id === summary.id ? selectRunDetail(p.full, p.now, p.metric) : null;
  const dl = (fields: { label: string; value: string }[], empty: string): string =>
    fields.length === 0 ? `<p class="empty">${empty}</p>` : `<dl class="fields">${fields.map((f) => `<dt>${escapeHtml(f.label)}</dt><dd data-field="${escapeHtml(f.label.toLowerCase())}">${escapeHtml(f.value)}</dd>`).join('')}</dl>`;
  const list = (lines: string[], empty: string): string =>
    lines.length === 0 ? `<p class="empty">${empty}</p>` : `<ol class="events">${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ol>`;
  return (
    `<div id="run-detail" class="run-detail" data-run="${escapeHtml(d.id)}">` +
    `<h3>${escapeHtml(d.title)} <span class="badge tone-${d.stateTone}">${d.state}</span> <span class="badge tone-${d.healthTone}">${d.health}</span></h3>` +
    `<div class="actions">${runButtons(summary, c)}</div>` +
    dl(d.fields, '') +
    `<h4>Params</h4>${dl(d.params, 'No params.')}` +
    `<h4>Metrics</h4>${dl(d.metrics, 'No metrics yet.')}` +
    `<h4>Chart</h4>${d.chart === null ? '<p class="empty">No heartbeat with metrics yet.</p>' : renderRunChart(d, d.chart, c)}` +
    (full === null
      ? '<p class="sub">The registry did not answer: transitions and commands are not shown.</p>'
      : `<h4>Transitions</h4>${list(full.transitions, 'None yet.')}<h4>Commands</h4>${list(full.commands, 'None sent.')}`) +
    '</div>'
  );
}

function runButtons(run: RunSummary, c: RenderContext): string {
  const available = new Set(availableRunActions(run));
  return RUN_UI_ACTIONS.filter((a) => a.type !== 'tune')
    .map((a) => {
      const enabled = available.has(a.type) && !c.readOnly;
      const title = c.readOnly ? 'read-only' : `${a.label} ${run.id} (TUI runs view: ${a.key})`;
      const action = `@post('${pageUrl(`/status/runs/${encodeURIComponent(run.id)}/${a.type}`, c, {})}')`;
      return `<button type="button" data-run-action="${a.type}" title="${escapeHtml(title)}"${enabled ? '' : ' disabled'} data-on-click__stop="${escapeHtml(action)}">${a.label}</button>`;
    })
    .join('');
}

const CHART_W = 360;
const CHART_H = 100;
const PAD = 14;

/** A small inline SVG line of one metric over the kept heartbeats, with links to the other metrics. */
export function renderRunChart(d: Pick<RunDetail, 'id'>, chart: RunChart, c: RenderContext): string {
  const n = chart.values.length;
  const span = chart.max - chart.min || 1;
  const x = (i: number): number => (n === 1 ? CHART_W / 2 : PAD + (i * (CHART_W - 2 * PAD)) / (n - 1));
  const y = (v: number): number => (chart.max === chart.min ? CHART_H / 2 : CHART_H - PAD - ((v - chart.min) / span) * (CHART_H - 2 * PAD));
  const points = chart.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const links = chart.metrics
    .map((m) => (m === chart.metric ? `<strong>${escapeHtml(m)}</strong>` : `<a href="${escapeHtml(pageUrl('/status/runs', c, { run: d.id, metric: m }))}">${escapeHtml(m)}</a>`))
    .join(' ');
  return (
    `<div class="run-chart" data-metric="${escapeHtml(chart.metric)}"><div class="metrics">${links}</div>` +
    `<svg viewBox="0 0 ${CHART_W} ${CHART_H}" role="img" aria-label="${escapeHtml(`${chart.metric} over ${n} heartbeats`)}">` +
    `<polyline points="${points}"/>` +
    `<text x="2" y="10">${escapeHtml(String(chart.max))}</text><text x="2" y="${CHART_H - 2}">${escapeHtml(String(chart.min))}</text>` +
    `<text x="${CHART_W - 2}" y="${CHART_H - 2}" text-anchor="end">step ${chart.steps[n - 1] ?? ''}</text>` +
    '</svg></div>'
  );
}
