// Turns a project file into register events: validate every spec (all problems at once, once),
// select by profile / --only / --disable, build local .dep binaries, then publish one
// orchestrator.service.register per selected service with a version that grows when its spec
// changes. The controller learns about services from these events only.
import { createHmac, randomBytes } from 'node:crypto';
import type { BusWriter } from '../bus/index.ts';
import { createEventFactory } from '../bus/index.ts';
import type { NestorConfig } from '../config/index.ts';
import { ensureDeps, formatProgress } from '../dep/index.ts';
import type { DepEntry, DepResult } from '../dep/index.ts';
import type { ServiceRegistered } from '../events/index.ts';
import { registerSubject } from '../events/index.ts';
import { specHash } from '../sdk/index.ts';
import { SpecError, maskSpecSecrets, selectServices, startOrder, validateProject } from '../spec/index.ts';
import type { Project, SecretEnv } from '../spec/index.ts';

/** Which services of the project to run. */
export interface SelectionOptions {
  profile?: string;
  only?: string[];
  disable?: string[];
}

/** How to register: which services, and what to report. */
export interface RegisterOptions extends SelectionOptions {
  /** Skip .dep builds (tests that bring their own binaries). */
  skipDeps?: boolean;
  /** Services registered before on this node: those the project no longer has are retired. */
  retire?: string[];
  /** Where the real values of masked secrets go for this node's controller; without it they are only masked. */
  secretEnv?: SecretEnv;
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
  /** Services retired because the project no longer has them. */
  retired: string[];
}

/** A project file that passed validation and selection: what registerProject publishes. */
export class PreparedProject {
  constructor(
    readonly project: Project,
    /** The specs as written, which the register events carry. */
    readonly rawServices: Record<string, Record<string, unknown>>,
    readonly enabled: string[],
    readonly disabled: string[],
    /** Every selected service, in start order. */
    readonly order: string[],
    readonly ignoreDependencies: boolean,
  ) {}
}

/**
 * Validates a project file (every problem at once) and selects its services; throws SpecError
 * naming `source` when given. This is the one validation of a project: `nestor up` calls it before
 * it boots anything, so a bad file fails fast, and hands the result to registerProject.
 */
export function prepareProject(raw: unknown, opts: SelectionOptions = {}, source?: string): PreparedProject {
  const validated = validateProject(raw);
  if (!validated.ok) throw new SpecError(validated.errors, source === undefined ? undefined : { source });
  const project = validated.project;
  const selection = selectServices(project, { profile: opts.profile, only: opts.only, disable: opts.disable });
  if (!selection.ok) throw new SpecError(selection.errors, source === undefined ? undefined : { source });
  const { enabled, disabled } = selection;
  const chosen = new Set([...enabled, ...disabled]);
  const order = startOrder(project.services).flat().filter((id) => chosen.has(id));
  const rawServices = (raw as { services: Record<string, Record<string, unknown>> }).services;
  return new PreparedProject(project, rawServices, enabled, disabled, order, opts.only !== undefined && opts.only.length > 0);
}

/** Registers a project's services (after building their .dep binaries); a raw file is prepared first. */
export async function registerProject(
  bus: BusWriter,
  config: NestorConfig,
  input: PreparedProject | unknown,
  opts: RegisterOptions = {},
): Promise<RegisterResult> {
  const prepared = input instanceof PreparedProject ? input : prepareProject(input, opts);
  const { project, rawServices, enabled, disabled, order } = prepared;
  const deps = opts.skipDeps ? [] : await buildDeps(project, enabled, config, opts.onProgress);
  const events = createEventFactory({ node: config.node, component: 'cli' });
  // Retired before anything registers, so no view ever shows a service the project dropped
  // beside the ones it has; the history keeps their events.
  const retired = (opts.retire ?? []).filter((id) => !Object.hasOwn(project.services, id));
  await Promise.all(
    retired.map((id) => bus.publish(events('orchestrator.service.retired', { service: id, reason: 'not in the project any more' }))),
  );
  // Look-ups and publishes are pipelined: one connection keeps them in order, and a stack of
  // fifty services should not wait for a hundred sequential round trips.
  const previous = await Promise.all(order.map((id) => lastRegistration(bus, config.node, id)));
  const acks = order.map((id, i) => {
    // Secret-looking env values never enter the stream; the controller of this node takes the
    // real ones from secretEnv. The hash is of the masked spec, so it reveals nothing of them.
    const { spec, secrets } = maskSpecSecrets({ ...rawServices[id], id });
    if (Object.keys(secrets).length > 0) opts.secretEnv?.set(id, secrets);
    else opts.secretEnv?.delete(id);
    // The hash must change when only a secret does (so an applied edit restarts the service) and
    // must not let anyone test guesses of it: the secrets enter it keyed with this process's salt.
    const hash = Object.keys(secrets).length === 0 ? specHash(spec) : specHash({ spec, secrets: secretDigest(secrets) });
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
        ignoreDependencies: prepared.ignoreDependencies,
      }),
    );
  });
  const lastSeq = Math.max(0, ...(await Promise.all(acks)).map((a) => a.seq));
  return { project, enabled: order.filter((id) => enabled.includes(id)), disabled, deps, lastSeq, retired };
}

const SECRET_SALT = randomBytes(32);

function secretDigest(secrets: Record<string, string>): string {
  return createHmac('sha256', SECRET_SALT).update(JSON.stringify(Object.entries(secrets).sort(([a], [b]) => (a < b ? -1 : 1)))).digest('hex');
}

// Every source is installed here, before any register event: a dep that cannot be installed
// fails the start with its reason instead of a spawn error (ENOENT) later.
async function buildDeps(project: Project, ids: string[], config: NestorConfig, onProgress?: (line: string) => void): Promise<DepResult[]> {
  const entries = new Map<string, DepEntry>();
  for (const id of ids) {
    const dep = project.services[id]?.dep;
    if (dep !== undefined) entries.set(dep.name, dep);
  }
  if (entries.size === 0) return [];
  return ensureDeps([...entries.values()], {
    projectDir: config.projectDir,
    mirror: config.dep?.mirror,
    onProgress: formatProgress((line) => onProgress?.(line)),
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
