// Field names a schema allows at a path, for "did you mean" hints on unknown fields. Walks the
// zod definitions of our own schemas (objects, optionals, defaults, arrays, records, unions).
import type { z } from 'zod';
import type { PathSegment } from './issues.ts';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  values?: unknown[];
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

function objectsAt(schema: z.ZodType, path: readonly PathSegment[]): z.ZodType[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
      return def.innerType ? objectsAt(def.innerType, path) : [];
    case 'pipe':
      return def.in ? objectsAt(def.in, path) : [];
    case 'union':
      return (def.options ?? []).flatMap((o) => objectsAt(o, path));
    default:
      break;
  }
  if (path.length === 0) return def.type === 'object' ? [schema] : [];
  const [head, ...rest] = path;
  if (def.type === 'object' && typeof head === 'string') {
    const field = def.shape?.[head];
    return field ? objectsAt(field, rest) : [];
  }
  if (def.type === 'array' && typeof head === 'number' && def.element) return objectsAt(def.element, rest);
  if (def.type === 'record' && def.valueType) return objectsAt(def.valueType, rest);
  return [];
}

function literalOf(s: z.ZodType | undefined): unknown {
  return s && defOf(s).type === 'literal' ? defOf(s).values?.[0] : undefined;
}

/** Allowed keys of the object at `path`; among union options, the one whose `type` matches the input. */
export function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[], input: unknown): string[] {
  const objects = objectsAt(schema, path);
  const kind = input && typeof input === 'object' ? (input as Record<string, unknown>)['type'] : undefined;
  const matching = objects.filter((o) => literalOf(defOf(o).shape?.['type']) === kind);
  const chosen = matching.length > 0 ? matching : objects;
  return [...new Set(chosen.flatMap((o) => Object.keys(defOf(o).shape ?? {})))];
}
