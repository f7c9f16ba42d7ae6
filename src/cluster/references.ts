// Small naming rules of the scheduler: how an instance is keyed in the claims bucket, and which
// services a spec refers to by placeholder (an instance that names a service follows it when
// it moves).
import { listPlaceholders, placeholderFields } from '../spec/index.ts';
import type { ServiceSpec } from '../spec/index.ts';

/** The claims bucket's key of an instance (KV keys allow no `@`). */
export function claimKey(name: string): string {
  return name.replace('@', '.');
}

/** The instance name of a claims bucket key. */
export function nameOfClaimKey(key: string): string {
  const dot = key.lastIndexOf('.');
  return dot < 0 ? key : `${key.slice(0, dot)}@${key.slice(dot + 1)}`;
}

/** Services a spec names in {services.<id>.*} placeholders. */
export function referencedServices(spec: ServiceSpec): Set<string> {
  const out = new Set<string>();
  for (const [, text] of placeholderFields(spec)) {
    for (const name of listPlaceholders(text)) {
      const parts = name.split('.');
      if (parts[0] === 'services' && parts[1] !== undefined) out.add(parts[1]);
    }
  }
  return out;
}
