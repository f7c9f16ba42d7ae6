// The dependency graph as an inline SVG picture, drawn from the shared layout (selectGraph):
// one box per service coloured by its state's tone, one arrow per dependency (dashed while the
// dependency does not meet its condition). Clicking a box selects the service.
import type { GraphLayout } from '../../views/index.ts';
import { escapeHtml } from './templates.ts';

/** The `#graph` fragment. */
export function renderGraph(layout: GraphLayout): string {
  if (layout.nodes.length === 0) return '<div id="graph"><p class="empty">No services registered.</p></div>';
  const { nodeWidth: w, nodeHeight: h } = layout;
  const edges = layout.edges.map((e) => {
    const bend = Math.max(24, (e.x1 - e.x2) / 2);
    const d = `M ${e.x1} ${e.y1} C ${e.x1 - bend} ${e.y1}, ${e.x2 + bend} ${e.y2}, ${e.x2 + 6} ${e.y2}`;
    const lx = (e.x1 + e.x2) / 2;
    const ly = (e.y1 + e.y2) / 2 - 5;
    return (
      `<path class="edge ${e.met ? 'met' : 'unmet'}" d="${d}" marker-end="url(#arrow)" data-edge="${escapeHtml(e.from)}-${escapeHtml(e.to)}"/>` +
      `<text class="edge-label" x="${lx}" y="${ly}" text-anchor="middle">${escapeHtml(e.condition)}</text>`
    );
  });
  const nodes = layout.nodes.map(
    (n) =>
      `<g class="node tone-${n.tone}" data-node="${escapeHtml(n.id)}" data-on-click="$selected = '${escapeHtml(n.id)}'">` +
      `<rect x="${n.x}" y="${n.y}" width="${w}" height="${h}" rx="8"/>` +
      `<text x="${n.x + 12}" y="${n.y + 19}">${escapeHtml(n.label)}</text>` +
      `<text class="state" x="${n.x + 12}" y="${n.y + 36}">${escapeHtml(n.id)} · ${escapeHtml(n.state)}</text>` +
      `<title>${escapeHtml(n.id)}: ${escapeHtml(n.state)}</title></g>`,
  );
  return (
    `<div id="graph"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="img" aria-label="Dependency graph">` +
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>' +
    `${edges.join('')}${nodes.join('')}</svg></div>`
  );
}
