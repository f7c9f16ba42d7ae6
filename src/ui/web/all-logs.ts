// The dashboard's all-services log view (/status/logs): every service's log tail of this node,
// interleaved by the time each line was written, behind coloured `name | ` prefixes. A plain
// page that reloads itself every two seconds: the per-service panes stay on the live stream,
// and this view costs nothing while nobody looks at it.
import type { ApiContext } from '../../api/index.ts';
import { mergedLogTail } from '../../api/index.ts';
import { colourFor } from '../../process/index.ts';
import { escapeHtml, raw, render } from './templates.ts';

/** Lines of each service read for the page. */
export const ALL_LOGS_PER_SERVICE = 200;

// The terminal palette of colourFor, as CSS colours readable on the dark log background.
const CSS_COLOURS: Record<number, string> = {
  31: '#f47067', 32: '#57ab5a', 33: '#c69026', 34: '#539bf5', 35: '#b083f0', 36: '#39c5cf',
  91: '#ff938a', 92: '#6bc46d', 93: '#daaa3f', 94: '#6cb6ff', 95: '#dcbdfb', 96: '#56d4dd',
};

/** The page, fully rendered. */
export function renderAllLogs(ctx: ApiContext, query: string): string {
  const lines = mergedLogTail(ctx, ALL_LOGS_PER_SERVICE);
  const width = Math.max(0, ...lines.map((l) => l.service.length));
  const html = lines
    .map((l) => {
      const colour = CSS_COLOURS[colourFor(l.service)] ?? '#c9d1d9';
      const cls = l.stream === 'stderr' ? ' class="stderr"' : '';
      return `<span style="color:${colour}">${escapeHtml(l.service.padEnd(width))} |</span> <span${cls} title="${escapeHtml(l.time)}">${escapeHtml(l.level === undefined ? l.text : `${l.level.toUpperCase().padEnd(5)} ${l.message ?? ''}`)}</span>`;
    })
    .join('\n');
  return render('all-logs.html', {
    node: ctx.node,
    styleUrl: `/status/assets/style.css${query}`,
    followUrl: `/status/assets/follow-log.js${query}`,
    backUrl: `/status${query}`,
    perService: ALL_LOGS_PER_SERVICE,
    lines: raw(lines.length === 0 ? '(no output yet)' : html),
  });
}
