// What every view shows of a spec (name, kind, dependencies, profiles), read from the spec as a
// register event carries it. The event types the spec as an open record (a newer writer may add
// fields, a hostile one may send anything), so each field, and each list entry, is read with the
// spec's own schema on its own: a bad entry is dropped, a bad field is left out. The result then
// goes through normalizeService like any spec, so the defaults (display name, kind, the condition
// of a dependency written as a bare id) are the ones the controller applies.
import type { z } from 'zod';
import { normalizeService } from './normalize.ts';
import { dependencySchema, profileName, serviceSchema } from './schema.ts';
import type { ParsedService } from './schema.ts';
import type { Placement, ServiceSpec } from './types.ts';

/** The spec fields a view shows. */
export type SpecOutline = Pick<ServiceSpec, 'displayName' | 'description' | 'kind' | 'dependencies' | 'profiles' | 'replicas'> & {
  /** Null when the spec has none (the service runs where it was registered). */
  placement: Placement | null;
};

const fields = serviceSchema.shape;
// The smallest valid spec: what the outline starts from before the fields that parse are laid on.
const BASE: ParsedService = serviceSchema.parse({ process: { command: '-' } });

function field<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function list<S extends z.ZodType>(schema: S, value: unknown): z.output<S>[] {
  return Array.isArray(value) ? value.flatMap((item) => field(schema, item) ?? []) : [];
}

/** The outline of a registered spec; never throws. */
export function outlineSpec(id: string, raw: Record<string, unknown>): SpecOutline {
  const input: ParsedService = {
    ...BASE,
    displayName: field(fields.displayName, raw['displayName']),
    description: field(fields.description, raw['description']),
    kind: field(fields.kind, raw['kind']) ?? BASE.kind,
    dependencies: list(dependencySchema, raw['dependencies']),
    profiles: list(profileName, raw['profiles']),
    replicas: field(fields.replicas, raw['replicas']) ?? BASE.replicas,
    placement: field(fields.placement, raw['placement']),
  };
  const { spec } = normalizeService(id, input, []);
  return {
    displayName: spec.displayName,
    description: spec.description,
    kind: spec.kind,
    dependencies: spec.dependencies,
    profiles: spec.profiles,
    replicas: spec.replicas,
    placement: spec.placement ?? null,
  };
}
