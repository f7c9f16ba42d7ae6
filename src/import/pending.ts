// Nestor fields that are being added to the spec in the same release: the converters already
// know how to fill them, and this table says whether the schema has them yet. Until a row is
// `true`, the value goes into the report as "not converted (needs …)" instead of the file.
import type { Draft } from './types.ts';

/** Whether each pending target field exists in the spec schema. Flip a row once it does. */
export const TARGET_FIELDS = {
  'limits.memory': false,
  watch: false,
  envFile: false,
  'health.log': false,
} satisfies Record<string, boolean>;

/** A field of TARGET_FIELDS. */
export type PendingField = keyof typeof TARGET_FIELDS;

/**
 * Sets a pending field on service `id` (`value` is the whole top-level key, e.g.
 * `{ limits: { memory: '512MB' } }`), or reports `source` as needing it.
 */
export function setPending(draft: Draft, id: string, field: PendingField, value: Record<string, unknown>, source: string, text: string): void {
  const service = draft.services[id];
  const key = Object.keys(value)[0] as string;
  if (TARGET_FIELDS[field] && service !== undefined && service[key] === undefined) {
    service[key] = value[key];
    draft.comment(id, [key], text);
    return;
  }
  const why = service?.[key] !== undefined ? `${key} is already set` : `needs ${field}`;
  draft.note(source, `not converted (${why}): would be ${key}: ${JSON.stringify(value[key])}`);
}
