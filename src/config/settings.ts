// Validation of the settings given outside the project file (environment variables, flags),
// against the table of settings-table.ts.
import type { z } from 'zod';
import { ConfigError } from './errors.ts';
import { configLayerSchema } from './schema.ts';
import type { ConfigInput } from './schema.ts';
import { SETTINGS, parseSettingValue, setSettingPath, settingByPath } from './settings-table.ts';

// Secrets are never echoed back in an error message.
const SECRET = /(^|\.)(pass|token)$/;

/** Builds a settings layer from `NESTOR_*` environment variables (empty values are unset). */
export function envLayer(env: NodeJS.ProcessEnv): ConfigInput {
  const layer: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const raw = env[setting.env];
    if (raw === undefined || raw.trim() === '') continue;
    setSettingPath(layer, setting.path, parseSettingValue(setting.kind, raw));
  }
  return validateLayer(layer, (path) => settingByPath(path)?.env ?? 'environment');
}

/** Validates a layer; errors name the source that `sourceOf` gives for the failing path. */
export function validateLayer(
  layer: unknown,
  sourceOf: (path: string) => string,
  locate?: (path: (string | number)[]) => { line: number; column: number } | null,
  prefix: (string | number)[] = [],
): ConfigInput {
  const res = configLayerSchema.safeParse(layer);
  if (res.success) return withNodeMapping(res.data);
  const first = res.error.issues[0];
  if (first === undefined) throw new Error('zod reported a failure without issues');
  const issue = innermost(first);
  let segments = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  let expected = issue.message;
  let got: unknown = valueAt(layer, segments);
  if (issue.code === 'unrecognized_keys') {
    segments = [...segments, issue.keys[0] ?? '?'];
    expected = 'a known setting (see docs/config.md)';
    got = undefined;
  }
  const path = segments.join('.');
  if (SECRET.test(path)) got = undefined;
  const where = locate?.([...prefix, ...segments]) ?? null;
  throw new ConfigError({
    source: sourceOf(path),
    path: [...prefix, ...segments].join('.') || null,
    expected,
    ...(got === undefined ? {} : { got }),
    ...(where ?? {}),
  });
}

// A union reports only "none of the alternatives" when the value failed each of them; when
// it failed one alternative below its top (a bad tag inside a `node:` mapping), that deeper
// problem is what a person needs to read.
function innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  for (const alternative of issue.errors) {
    const deeper = alternative[0];
    if (deeper !== undefined && (deeper.path.length > 0 || deeper.code === 'unrecognized_keys')) {
      return innermost({ ...deeper, path: [...issue.path, ...deeper.path] } as z.core.$ZodIssue);
    }
  }
  return issue;
}

// `node` may be the id alone; later layers merge key by key, so every layer holds a mapping.
function withNodeMapping(layer: ConfigInput): ConfigInput {
  return typeof layer.node === 'string' ? { ...layer, node: { id: layer.node } } : layer;
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}
