// Validation entry points: schema, then normalization, then cross-field checks, collecting every
// problem rather than stopping at the first. Never throws on any input.
import { ID_PATTERN } from '../events/index.ts';
import { checkCaddyTemplates } from './caddy-checks.ts';
import { checkServices } from './checks.ts';
import { expectedText, formatPath, fromZodIssues, summarize } from './issues.ts';
import type { PathSegment, SpecIssue } from './issues.ts';
import { knownKeysAt } from './known-keys.ts';
import { normalizeService } from './normalize.ts';
import { ID_EXPECTED, projectSchema, serviceSchema } from './schema.ts';
import type { Project, ServiceSpec } from './types.ts';

/** Result of validating a project file. */
export type ProjectResult = { ok: true; project: Project } | { ok: false; errors: SpecIssue[] };
/** Result of validating one service spec. */
export type ServiceResult = { ok: true; spec: ServiceSpec } | { ok: false; errors: SpecIssue[] };

/** Options of validateProject. */
export interface ValidateProjectOptions {
  /** Services known from elsewhere (registered at run time) that this file may depend on. */
  extraServices?: Readonly<Record<string, ServiceSpec>>;
}

/** Options of validateService. */
export interface ValidateServiceOptions {
  /**
   * The other services of the running project. When given, dependencies, cycles, port clashes
   * and {services.*} placeholders are checked against them; when omitted, only the spec itself.
   */
  services?: Readonly<Record<string, ServiceSpec>>;
}

const PARSE = { reportInput: true, error: expectedText } as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a project file's parsed content (JSON or YAML), reporting every problem at once. */
export function validateProject(raw: unknown, opts: ValidateProjectOptions = {}): ProjectResult {
  const parsed = projectSchema.safeParse(raw, PARSE);
  const errors: SpecIssue[] = parsed.success
    ? []
    : fromZodIssues(parsed.error.issues, [], (path, input) => knownKeysAt(projectSchema, path, input));

  // Services that pass the schema on their own still get the semantic checks, so a file with
  // one broken service reports the rest of its problems too.
  const rawServices = isRecord(raw) && isRecord(raw['services']) ? raw['services'] : {};
  const valid: Record<string, ServiceSpec> = {};
  const invalidIds: string[] = [];
  for (const [id, value] of Object.entries(rawServices)) {
    if (!ID_PATTERN.test(id)) continue;
    const one = serviceSchema.safeParse(value, PARSE);
    if (!one.success) {
      invalidIds.push(id);
      continue;
    }
    const { spec, issues } = normalizeService(id, one.data, ['services', id]);
    valid[id] = spec;
    errors.push(...issues);
  }
  errors.push(...checkServices(valid, { others: opts.extraServices ?? {}, invalidIds }));
  errors.push(...checkCaddyTemplates(isRecord(raw) ? raw['config'] : undefined, valid));

  if (errors.length > 0 || !parsed.success) return { ok: false, errors: nonEmpty(errors) };
  const { name, version, config } = parsed.data;
  return {
    ok: true,
    project: {
      ...(name !== undefined ? { name } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(config !== undefined ? { config } : {}),
      services: valid,
    },
  };
}

/** Validates one service spec (as registered through the SDK); paths read `services.<id>.…`. */
export function validateService(id: string, raw: unknown, opts: ValidateServiceOptions = {}): ServiceResult {
  const prefix: PathSegment[] = ['services', id];
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    return { ok: false, errors: [{ path: formatPath(prefix), expected: ID_EXPECTED, got: summarize(id) }] };
  }
  const parsed = serviceSchema.safeParse(raw, PARSE);
  if (!parsed.success) {
    const errors = fromZodIssues(parsed.error.issues, prefix, (path, input) => knownKeysAt(serviceSchema, path, input));
    return { ok: false, errors: nonEmpty(errors) };
  }
  const { spec, issues } = normalizeService(id, parsed.data, prefix);
  const others = { ...opts.services };
  delete others[id];
  issues.push(...checkServices({ [id]: spec }, { others, standalone: opts.services === undefined }));
  return issues.length > 0 ? { ok: false, errors: issues } : { ok: true, spec };
}

// A failed parse always yields at least one issue; this keeps the contract even if zod did not.
function nonEmpty(errors: SpecIssue[]): SpecIssue[] {
  return errors.length > 0 ? errors : [{ path: '(root)', expected: 'a valid spec', got: 'an invalid value' }];
}
