// Fields filled from one source key that another source key may already have set (a compose
// service with both mem_limit and deploy.resources.limits.memory): the first one wins and the
// second is reported, so nothing is overwritten silently.
import type { Draft } from './types.ts';

/**
 * Sets a top-level field on service `id` (`value` is the whole key, e.g. `{ limits: { memory:
 * '512MB' } }`) with `text` as its comment, or reports `source` when the field is already set.
 */
export function setField(draft: Draft, id: string, value: Record<string, unknown>, source: string, text: string): void {
  const service = draft.services[id];
  const key = Object.keys(value)[0] as string;
  if (service !== undefined && service[key] === undefined) {
    service[key] = value[key];
    draft.comment(id, [key], text);
    return;
  }
  draft.note(source, `not converted (${key} is already set): would be ${key}: ${JSON.stringify(value[key])}`);
}
