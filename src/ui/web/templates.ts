// The dashboard's HTML templates (files under templates/) and the one substitution rule they
// use: `{{name}}` inserts escaped text, `{{{name}}}` inserts HTML the renderer built itself.
// A template that names a value the renderer did not pass throws, so a typo fails a test
// instead of rendering an empty hole.
import { readFileSync } from 'node:fs';

const cache = new Map<string, string>();

/** A template file's text (read once). */
export function template(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./templates/${name}`, import.meta.url), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** HTML the renderer built and vouches for; inserted as is by `{{{name}}}`. */
export interface RawHtml {
  readonly html: string;
}

/** Marks a string as HTML to insert without escaping. */
export function raw(html: string): RawHtml {
  return { html };
}

/** Fills a template with values. */
export function render(name: string, values: Record<string, string | number | RawHtml>): string {
  return template(name).replace(/\{\{(\{)?\s*([A-Za-z0-9_]+)\s*\}?\}\}/g, (_m, rawMark: string | undefined, key: string) => {
    if (!Object.hasOwn(values, key)) throw new Error(`template ${name}: no value for {{${key}}}`);
    const v = values[key] as string | number | RawHtml;
    if (rawMark !== undefined) {
      if (typeof v !== 'object') throw new Error(`template ${name}: {{{${key}}}} needs raw HTML`);
      return v.html;
    }
    return escapeHtml(typeof v === 'object' ? v.html : v);
  });
}
