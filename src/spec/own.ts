// Lookups by user-chosen keys. Ids such as "constructor" or "toString" are valid service ids,
// so a plain `obj[id]` or `id in obj` would find Object.prototype members.

/** The value stored under `key` on `obj` itself, never an inherited one. */
export function own<T>(obj: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}
