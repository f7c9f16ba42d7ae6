// The difference between the specs a node runs and the specs a project file asks for, as
// `nestor apply` shows and performs it: which services are added, removed, changed (with the
// field paths that differ) and left alone. Specs are compared as written (the register events
// carry them so), so a default spelled out where it was left implicit counts as a change.
import { formatPath } from './issues.ts';
import type { PathSegment } from './issues.ts';
import { listPlaceholders } from './placeholders.ts';

/** One service whose spec differs, and where. */
export interface SpecChange {
  service: string;
  /** Field paths that differ (`env.GREETING`, `process.args`), sorted. */
  fields: string[];
}

/** What applying a project changes, each list in the order given (start order when from a project). */
export interface ProjectDiff {
  added: string[];
  removed: string[];
  changed: SpecChange[];
  unchanged: string[];
  /**
   * Unchanged services restarted after a changed one because their spec reads it through a
   * `{services.<id>.…}` placeholder: the values they started with (its ports, its host) may be gone.
   */
  restartedFor: { service: string; because: string }[];
}

/** Specs by service id, as written (the `id` key is ignored). */
export type SpecsById = Record<string, Record<string, unknown>>;

/** Compares running specs with wanted ones; `order` lists the wanted ids first (start order), then the rest. */
export function diffProject(running: SpecsById, wanted: SpecsById, order: string[] = Object.keys(wanted)): ProjectDiff {
  const ids = [...new Set([...order, ...Object.keys(wanted)])].filter((id) => Object.hasOwn(wanted, id));
  const diff: ProjectDiff = { added: [], removed: [], changed: [], unchanged: [], restartedFor: [] };
  for (const id of ids) {
    if (!Object.hasOwn(running, id)) {
      diff.added.push(id);
      continue;
    }
    const fields = specFieldChanges(running[id] as Record<string, unknown>, wanted[id] as Record<string, unknown>);
    if (fields.length > 0) diff.changed.push({ service: id, fields });
    else diff.unchanged.push(id);
  }
  diff.removed = Object.keys(running)
    .filter((id) => !Object.hasOwn(wanted, id))
    .sort();
  const restarted = new Set(diff.changed.map((c) => c.service));
  for (const id of diff.unchanged) {
    const because = referencedServices(wanted[id] as Record<string, unknown>).find((dep) => restarted.has(dep));
    if (because !== undefined) diff.restartedFor.push({ service: id, because });
  }
  return diff;
}

/** True when applying the diff would change nothing that runs. */
export function isEmptyDiff(diff: ProjectDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

/** Field paths where two specs differ (the `id` key aside); arrays compare whole. */
export function specFieldChanges(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const out: string[] = [];
  walk(withoutId(before), withoutId(after), [], out);
  return out.sort();
}

function withoutId(spec: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, ...rest } = spec;
  return rest;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(a: unknown, b: unknown, path: PathSegment[], out: string[]): void {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) walk(Object.hasOwn(a, key) ? a[key] : undefined, Object.hasOwn(b, key) ? b[key] : undefined, [...path, key], out);
    return;
  }
  if (!sameValue(a, b)) out.push(formatPath(path));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue(a[k], b[k]));
  }
  return Object.is(a, b);
}

/** Ids of the services a spec reads through `{services.<id>.…}` placeholders. */
function referencedServices(spec: Record<string, unknown>): string[] {
  const ids = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const name of listPlaceholders(v)) {
        const m = /^services\.([^.]+)\./.exec(name);
        if (m?.[1] !== undefined) ids.add(m[1]);
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (isPlainObject(v)) Object.values(v).forEach(visit);
  };
  visit(spec);
  return [...ids];
}
