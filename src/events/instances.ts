// Instance names. A service with `replicas: N` runs N instances, named `<service>@<n>` in every
// view and verb. Events carry the service id (so subjects still filter by service) plus the
// instance number; the number is omitted for instance 1, so the histories of single-instance
// stacks read exactly as they did before replicas existed.
//
// The state and the controller key their records by `instanceKey`: the service id for instance
// 1 and `<service>@<n>` for the others. Keeping the bare id for the first instance lets every
// single-instance reader (and every recorded history) find its record under the id it knows.
import { ID_PATTERN } from './payloads.ts';

/** The largest `replicas` a spec may ask for. */
export const MAX_REPLICAS = 64;

/** The key of an instance's record: the service id for instance 1, `<service>@<n>` after it. */
export function instanceKey(service: string, instance = 1): string {
  return instance === 1 ? service : `${service}@${instance}`;
}

/** The name users see and type for an instance: always `<service>@<n>`. */
export function instanceName(service: string, instance = 1): string {
  return `${service}@${instance}`;
}

/** A reference to one instance, as events carry it (`instance` only when it is not 1). */
export interface InstanceRef {
  service: string;
  instance?: number;
}

/** The service and instance number of a key or a name (`web`, `web@2`); null when malformed. */
export function parseInstance(text: string): { service: string; instance: number } | null {
  const at = text.indexOf('@');
  if (at < 0) return ID_PATTERN.test(text) ? { service: text, instance: 1 } : null;
  const service = text.slice(0, at);
  const n = text.slice(at + 1);
  if (!ID_PATTERN.test(service) || !/^[1-9][0-9]{0,5}$/.test(n)) return null;
  return { service, instance: Number(n) };
}

/** The event fields naming an instance. */
export function instanceRef(service: string, instance = 1): InstanceRef {
  return instance === 1 ? { service } : { service, instance };
}

/** The record key an event's data names. */
export function keyOf(data: InstanceRef): string {
  return instanceKey(data.service, data.instance ?? 1);
}
