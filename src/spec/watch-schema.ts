// The `watch` block of a service spec (restart on file changes, for development): its input
// schema and its normalized form. Paths are relative to the project directory, like templates
// and workingDir, so one list reads the same whatever directory the process runs in.
import { z } from 'zod';
import { DURATION_EXPECTED, DURATION_PATTERN, parseDuration } from './duration.ts';

const NON_EMPTY = 'non-empty string';
const path = z.string({ error: NON_EMPTY }).regex(/\S/, { error: NON_EMPTY });
// The same shape as schema.ts's durationSchema, kept here so schema.ts can import this file
// without an import cycle.
const duration = z.union(
  [
    z.number({ error: DURATION_EXPECTED }).min(0, { error: DURATION_EXPECTED }),
    z.string({ error: DURATION_EXPECTED }).regex(DURATION_PATTERN, { error: DURATION_EXPECTED }),
  ],
  { error: DURATION_EXPECTED },
);

/** Default quiet time after the last change before the restart. */
export const WATCH_DEFAULT_DEBOUNCE = '200ms';

/** `watch: { paths, ignore, debounce, cascade }` as written. */
export const watchSchema = z
  .strictObject({
    paths: z
      .array(path.describe('A file or directory, relative to the project directory (or absolute).'))
      .min(1, { error: 'at least one path' })
      .describe('Files and directories to watch, relative to the project directory; directories are watched recursively.'),
    ignore: z
      .array(path.describe('A glob such as "**/*.test.ts" or "dist"; a pattern without "/" matches a name at any depth.'))
      .default([])
      .describe('Globs (relative to the project directory) whose changes do not restart; node_modules, .git and the data dir are always ignored.'),
    debounce: duration.default(WATCH_DEFAULT_DEBOUNCE).describe('Quiet time after the last change before the restart, so a burst of writes restarts once. Default 200ms.'),
    cascade: z.boolean().default(false).describe('Also restart the services that depend on this one (in dependency order, once it is ready again). Default false.'),
  })
  .describe('Restart the service when files under these paths change (development).');

/** The normalized `watch` block. */
export interface WatchSpec {
  paths: string[];
  ignore: string[];
  debounceMs: number;
  cascade: boolean;
}

/** Normalizes a schema-valid `watch` block. */
export function normalizeWatch(w: z.output<typeof watchSchema>): WatchSpec {
  return { paths: w.paths, ignore: w.ignore, debounceMs: parseDuration(w.debounce) ?? 0, cascade: w.cascade };
}
