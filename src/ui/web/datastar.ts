// The Datastar wire protocol, in one file: the frames the dashboard sends. The bundle Nestor
// serves is @starfederation/datastar 1.0.0-beta.11, which speaks the beta events
// (`datastar-merge-fragments`, `datastar-merge-signals`); a move to the 1.0 protocol
// (`datastar-patch-elements`) changes only this file.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sseEvent } from '../../api/index.ts';

/** How a fragment replaces its target. */
export type MergeMode = 'morph' | 'inner' | 'outer' | 'prepend' | 'append' | 'before' | 'after';

/** A frame that merges HTML fragments (each top-level element replaces the element with its id). */
export function mergeFragments(html: string, opts: { selector?: string; mergeMode?: MergeMode } = {}): string {
  const lines: string[] = [];
  if (opts.selector !== undefined) lines.push(`selector ${opts.selector}`);
  if (opts.mergeMode !== undefined && opts.mergeMode !== 'morph') lines.push(`mergeMode ${opts.mergeMode}`);
  for (const line of html.split('\n')) lines.push(`fragments ${line}`);
  return sseEvent({ event: 'datastar-merge-fragments', data: lines.join('\n') });
}

/** A frame that merges values into the page's signals. */
export function mergeSignals(signals: Record<string, unknown>): string {
  return sseEvent({ event: 'datastar-merge-signals', data: `signals ${JSON.stringify(signals)}` });
}

let bundle: string | null = null;

/** The Datastar browser bundle, served by Nestor itself (no CDN). */
export function datastarBundle(): string {
  if (bundle === null) {
    const entry = fileURLToPath(import.meta.resolve('@starfederation/datastar'));
    bundle = readFileSync(join(dirname(entry), 'datastar.js'), 'utf8');
  }
  return bundle;
}
