// Paths into a JSON value and copies with one place replaced: the fuzz tests mutate valid bodies
// one field at a time with these.

/** One step of a path: an object key or an array index. */
export type Key = string | number;

/** Every path in `value`, the empty path (the value itself) first. */
export function pathsOf(value: unknown, prefix: Key[] = []): Key[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

/** A copy of `value` with what is at `path` replaced (the replacement itself for the empty path). */
export function replaceAt(value: unknown, path: Key[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<Key, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<Key, unknown>;
  node[path.at(-1) as Key] = replacement;
  return copy;
}
