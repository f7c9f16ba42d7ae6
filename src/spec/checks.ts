// Checks across fields and services, run on normalized specs that passed the schema:
// dependencies (unknown, self, repeated, cycles, `completed` on a daemon), ports (names,
// numbers within and across services) and placeholders.
import { checkCaddyUpstreams } from './caddy-checks.ts';
import { dependenciesOf, findCycles, formatCycle } from './graph.ts';
import { closest, formatPath, summarize } from './issues.ts';
import type { SpecIssue } from './issues.ts';
import { own } from './own.ts';
import { checkPlaceholders } from './placeholders.ts';
import type { PortSpec, ServiceSpec } from './types.ts';

/** What the checked services are checked against. */
export interface CheckContext {
  /** Valid services already known (registered elsewhere); they resolve references but are not reported on. */
  others?: Readonly<Record<string, ServiceSpec>>;
  /** Ids that exist but whose specs are invalid: references to them are not "unknown". */
  invalidIds?: readonly string[];
  /** Skip checks that need the whole project (unknown ids, cycles, ports across services). */
  standalone?: boolean;
}

/** Every cross-field problem of `subject` (services by id, in report order). */
export function checkServices(subject: Readonly<Record<string, ServiceSpec>>, ctx: CheckContext = {}): SpecIssue[] {
  const all: Record<string, ServiceSpec> = { ...ctx.others, ...subject };
  const known = new Set([...Object.keys(all), ...(ctx.invalidIds ?? [])]);
  const issues: SpecIssue[] = [];
  for (const [id, spec] of Object.entries(subject)) {
    issues.push(...checkDependencies(spec, all, known, ctx.standalone === true));
    issues.push(...checkOwnPorts(spec));
    issues.push(...checkCaddyUpstreams(spec, ctx.standalone ? null : all, known));
    const dependsOn = (other: string): boolean => dependenciesOf(all, id, { transitive: true }).includes(other);
    const refs = ctx.standalone ? null : all;
    issues.push(
      ...checkPlaceholders(spec, refs, {
        ...(ctx.standalone ? {} : { dependsOn }),
        alsoKnown: ctx.invalidIds ?? [],
      }),
    );
  }
  if (!ctx.standalone) {
    issues.push(...checkPortsAcross(subject, ctx.others ?? {}));
    const inSubject = (id: string): boolean => Object.hasOwn(subject, id);
    for (const cycle of findCycles(all, inSubject)) {
      // A service depending on itself is reported on the dependency entry instead.
      if (cycle.length <= 2 || !cycle.some(inSubject)) continue;
      issues.push({ path: `services.${cycle[0]}.dependencies`, expected: 'no dependency cycle', got: formatCycle(cycle) });
    }
  }
  return issues;
}

function checkDependencies(
  spec: ServiceSpec,
  all: Readonly<Record<string, ServiceSpec>>,
  known: Set<string>,
  standalone: boolean,
): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const seen = new Set<string>();
  spec.dependencies.forEach((dep, i) => {
    const path = formatPath(['services', spec.id, 'dependencies', i]);
    if (dep.id === spec.id) {
      issues.push({ path, expected: `a service other than "${spec.id}" itself`, got: summarize(dep.id) });
    } else if (seen.has(dep.id)) {
      issues.push({ path, expected: 'each dependency listed once', got: summarize(dep.id) });
    } else if (!standalone && !known.has(dep.id)) {
      const hint = closest(dep.id, known);
      issues.push({
        path,
        expected: `a service of this project${hint ? ` (did you mean "${hint}"?)` : ''}`,
        got: summarize(dep.id),
      });
    } else if (dep.condition === 'completed' && own(all, dep.id) && own(all, dep.id)?.kind !== 'oneshot') {
      issues.push({
        path: `${path}.condition`,
        expected: `"started" or "ready" ("completed" needs a oneshot; "${dep.id}" is a daemon)`,
        got: '"completed"',
      });
    }
    seen.add(dep.id);
  });
  return issues;
}

interface PortRef {
  path: string;
  port: PortSpec;
}

function portsOf(spec: ServiceSpec): PortRef[] {
  const out: PortRef[] = [];
  if (spec.ports.primary) out.push({ path: formatPath(['services', spec.id, 'ports', 'primary']), port: spec.ports.primary });
  spec.ports.additional.forEach((port, i) => {
    out.push({ path: formatPath(['services', spec.id, 'ports', 'additional', i]), port });
  });
  return out;
}

// tcp and http share the TCP port space; udp is its own.
const transport = (p: PortSpec): string => (p.protocol === 'udp' ? 'udp' : 'tcp');
const portKey = (p: PortSpec): string => `${transport(p)}:${p.port}`;

function checkOwnPorts(spec: ServiceSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const names = new Set<string>();
  const numbers = new Map<string, string>();
  for (const { path, port } of portsOf(spec)) {
    if (path.endsWith('primary')) names.add('primary');
    else if (port.name === 'primary') {
      issues.push({ path: `${path}.name`, expected: 'a name other than "primary" (that is ports.primary)', got: '"primary"' });
    } else if (names.has(port.name)) {
      issues.push({ path: `${path}.name`, expected: 'a port name not already used by this service', got: summarize(port.name) });
    }
    names.add(port.name);
    if (port.port === 0) continue;
    const owner = numbers.get(portKey(port));
    if (owner) {
      issues.push({ path: `${path}.port`, expected: `a port not already used by ${owner}`, got: String(port.port) });
    } else numbers.set(portKey(port), path);
  }
  return issues;
}

function checkPortsAcross(subject: Readonly<Record<string, ServiceSpec>>, others: Readonly<Record<string, ServiceSpec>>): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const owners = new Map<string, { id: string; path: string }>();
  const claim = (spec: ServiceSpec, report: boolean): void => {
    const own = new Set<string>();
    for (const { path, port } of portsOf(spec)) {
      if (port.port === 0 || own.has(portKey(port))) continue;
      own.add(portKey(port));
      const owner = owners.get(portKey(port));
      if (owner && owner.id !== spec.id) {
        if (report) issues.push({ path: `${path}.port`, expected: `a port not already used by ${owner.path}`, got: String(port.port) });
      } else owners.set(portKey(port), { id: spec.id, path });
    }
  };
  for (const spec of Object.values(others)) if (!Object.hasOwn(subject, spec.id)) claim(spec, false);
  for (const spec of Object.values(subject)) claim(spec, true);
  return issues;
}
