// The small HTML page every demo serves at `/`: a card of facts, refreshed every 2 s.

/** One labelled fact on the page. */
export type PageRow = readonly [label: string, value: string | number];

/** A titled group of rows. */
export interface PageSection {
  title: string;
  rows: readonly PageRow[];
  /** Shown instead of rows, e.g. when an upstream did not answer. */
  note?: string;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Renders the page. */
export function renderPage(title: string, icon: string, sections: readonly PageSection[]): string {
  const body = sections.map(renderSection).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="2">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d2330; background: #f6f7f9; }
  h1 { font-size: 1.4rem; }
  section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 0.8rem 1.2rem; margin-bottom: 1rem; max-width: 32rem; }
  h2 { font-size: 1rem; margin: 0 0 0.5rem; }
  dl { display: grid; grid-template-columns: 10rem 1fr; gap: 0.25rem 1rem; margin: 0; }
  dt { color: #5b6474; } dd { margin: 0; font-family: ui-monospace, monospace; }
  .note { color: #a33; }
</style>
</head>
<body>
<h1>${escapeHtml(icon)} ${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

function renderSection(section: PageSection): string {
  const content =
    section.note !== undefined
      ? `<p class="note">${escapeHtml(section.note)}</p>`
      : `<dl>\n${section.rows.map(([k, v]) => `  <dt>${escapeHtml(k)}</dt><dd data-field="${escapeHtml(k)}">${escapeHtml(String(v))}</dd>`).join('\n')}\n</dl>`;
  return `<section>\n<h2>${escapeHtml(section.title)}</h2>\n${content}\n</section>`;
}
