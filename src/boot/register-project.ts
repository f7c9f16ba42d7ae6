// Turns a project file into register events: validate every spec (all problems at once),
// select by profile / --only / --disable, build local .dep binaries, then publish one
// orchestrator.service.register per selected service with a version that grows when its spec
// changes. The controller learns about services from these events only.
import type { BusWriter } from '../bus/index.ts';
import { createEventFactory } from '../bus/index.ts';
import type { NestorConfig } from '../config/index.ts';
import { ensureDeps } from '../dep/index.ts';
import type { DepEntry, DepResult } from '../dep/index.ts';
import type { ServiceRegistered } from '../events/index.ts';
import { registerSubject } from '../events/index.ts';
import { specHash } from '../sdk/index.ts';
import { SpecError, selectServices, startOrder, validateProject } from '../spec/index.ts';
import type { Project } from '../spec/index.ts';

/** Which services of the project to run. */
export interface RegisterOptions {
  profile?: string;
  only?: string[];
  disable?: string[];
  /** Skip .dep builds (tests that bring their own binaries). */
  skipDeps?: boolean;
  onProgress?(line: string): void;
}

/** What a registration did. */
export interface RegisterResult {
  project: Project;
  /** Registered and enabled, in start order. */
  enabled: string[];
  /** Registered but disabled. */
  disabled: string[];
  deps: DepResult[];
  /** Stream sequence of the last register event published. */
  lastSeq: number;
}

/** Validates, selects, builds deps for and registers a project's services. */
export async function registerProject(bus: BusWriter, config: NestorConfig, raw: unknown, opts: RegisterOptions = {}): Promise<RegisterResult> {
  const validated = validateProject(raw);
  if (!validated.ok) throw new SpecError(validated.errors);
  const project = validated.project;
  const selection = selectServices(project, { profile: opts.profile, only: opts.only, disable: opts.disable });
  if (!selection.ok) throw new SpecError(selection.errors);
  const { enabled, disabled } = selection;
  const chosen = new Set([...enabled, ...disabled]);
  const order = startOrder(project.services).flat().filter((id) => chosen.has(id));

  const deps = opts.skipDeps ? [] : await buildDeps(project, enabled, config.projectDir, opts.onProgress);
  const rawServices = (raw as { services: Record<string, Record<string, unknown>> }).services;
  const events = createEventFactory({ node: config.node, component: 'cli' });
  // Look-ups and publishes are pipelined: one connection keeps them in order, and a stack of
  // fifty services should not wait for a hundred sequential round trips.
  const previous = await Promise.all(order.map((id) => lastRegistration(bus, config.node, id)));
  const acks = order.map((id, i) => {
    const spec = { ...rawServices[id], id };
    const hash = specHash(spec);
    const prev = previous[i] ?? null;
    const specVersion = prev === null ? 1 : prev.data.specHash === hash ? prev.data.specVersion : prev.data.specVersion + 1;
    return bus.publish(
      events('orchestrator.service.register', {
        service: id,
        spec,
        specVersion,
        specHash: hash,
        source: config.projectFile ?? 'project',
        enabled: enabled.includes(id),
        ignoreDependencies: opts.only !== undefined && opts.only.length > 0,
      }),
    );
  });
  const lastSeq = Math.max(0, ...(await Promise.all(acks)).map((a) => a.seq));
  return { project, enabled: order.filter((id) => enabled.includes(id)), disabled, deps, lastSeq };
}

async function buildDeps(project: Project, ids: string[], projectDir: string, onProgress?: (line: string) => void): Promise<DepResult[]> {
  const entries = new Map<string, DepEntry>();
  for (const id of ids) {
    const dep = project.services[id]?.dep;
    if (dep?.source === 'local') entries.set(dep.name, { ...dep, source: 'local' });
  }
  if (entries.size === 0) return [];
  return ensureDeps([...entries.values()], {
    projectDir,
    onProgress: (p) => {
      if (p.phase !== 'checking') onProgress?.(`dep ${p.name}: ${p.phase}`);
    },
  });
}

/** The last register event of a service on this node, or null. */
async function lastRegistration(bus: BusWriter, node: string, service: string): Promise<ServiceRegistered | null> {
  try {
    const last = await bus.lastEvent(registerSubject(node, service));
    return last !== null && last.ok && last.event.type === 'orchestrator.service.register' ? last.event : null;
  } catch {
    // No message on that subject yet.
    return null;
  }
}
