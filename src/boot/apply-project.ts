// Applying an edited project file to the running node, without stopping it: the specs the node
// runs (its services' last register events) are compared with the file's, and only the
// difference is acted on. Added and changed services are registered (the controller restarts a
// service whose spec hash changed, and the dependency gating starts it only once what it depends
// on is up again); removed ones are released by the controller, which stops them and publishes
// their retirement; unchanged ones are not touched. One orchestrator.project.applied event
// records the whole difference. `nestor apply`, `nestor up` run again and `up --watch` all come
// here: the first two through the node's `apply` request, the last from inside the node.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LiveState } from '../api/live-state.ts';
import type { BusWriter } from '../bus/index.ts';
import { createEventFactory } from '../bus/index.ts';
import type { NestorConfig } from '../config/index.ts';
import type { Controller } from '../controller/index.ts';
import { registerSubject } from '../events/index.ts';
import { specHash } from '../sdk/index.ts';
import { SpecError, diffProject, unmaskSpecSecrets } from '../spec/index.ts';
import type { ProjectDiff, SecretEnv, SpecIssue, SpecsById } from '../spec/index.ts';
import { PreparedProject, prepareProject, registerProject } from './register-project.ts';
import type { SelectionOptions } from './register-project.ts';

/** What to apply: the project file's content (includes resolved) and how to select from it. */
export interface ApplyRequest extends SelectionOptions {
  raw: unknown;
  /** The file it came from, named in events and errors. */
  source: string;
  /** Compute and return the difference, change nothing. */
  dryRun?: boolean;
}

/** The answer of an apply. */
export type ApplyOutcome =
  | { ok: true; diff: ProjectDiff; applied: boolean; source: string }
  | { ok: false; errors: { path: string; expected: string; got?: unknown }[]; source: string };

/** What an apply needs from its node. */
export interface ApplyContext {
  bus: BusWriter;
  config: NestorConfig;
  controller: Controller;
  live: LiveState;
  /** The real values of the secrets this node's register events mask. */
  secretEnv?: SecretEnv;
  onProgress?(line: string): void;
}

/** The origin component of the register events registerProject publishes. */
const PROJECT_COMPONENT = 'cli';

/** How long a knock-on restart waits for the controller to take the changed dependency's new spec. */
const RESPEC_WAIT_MS = 10_000;

/**
 * Validates `req.raw`, computes its difference with what the node runs and, unless a dry run,
 * applies it. An invalid file touches nothing; outside a dry run it is recorded as
 * orchestrator.project.rejected (an `up --watch` edit has no other place to be seen by views).
 */
export async function applyProject(ctx: ApplyContext, req: ApplyRequest): Promise<ApplyOutcome> {
  const { bus, config } = ctx;
  const events = createEventFactory({ node: config.node, component: 'apply' });
  let prepared: PreparedProject;
  try {
    prepared = prepareProject(req.raw, { profile: req.profile, only: req.only, disable: req.disable }, req.source);
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    const errors = err.issues.slice(0, 100).map(issueOf);
    if (req.dryRun !== true) await bus.publish(events('orchestrator.project.rejected', { node: config.node, source: req.source, errors }));
    return { ok: false, errors, source: req.source };
  }
  const wanted: SpecsById = Object.fromEntries(prepared.order.map((id) => [id, { ...prepared.rawServices[id], id }]));
  const running = await runningSpecs(bus, config.node, ctx.live, ctx.secretEnv);
  const diff = diffProject(running, wanted, prepared.order);
  if (req.dryRun === true) return { ok: true, diff, applied: false, source: req.source };

  retire(ctx, diff.removed);
  const toRegister = new Set([...diff.added, ...diff.changed.map((c) => c.service)]);
  const subset = new PreparedProject(
    prepared.project,
    prepared.rawServices,
    prepared.enabled,
    prepared.disabled,
    prepared.order.filter((id) => toRegister.has(id)),
    prepared.ignoreDependencies,
  );
  if (toRegister.size > 0) await registerProject(bus, config, subset, { onProgress: ctx.onProgress, secretEnv: ctx.secretEnv });
  await restartDependents(ctx, diff, wanted);
  const ack = await bus.publish(
    events('orchestrator.project.applied', {
      node: config.node,
      source: req.source,
      added: diff.added,
      removed: diff.removed,
      changed: diff.changed,
      unchanged: diff.unchanged.length,
      restarted: diff.restartedFor.map((r) => r.service),
    }),
  );
  // The next apply compares with the state this one leads to: the node's view has read this far.
  const deadline = Date.now() + RESPEC_WAIT_MS;
  while (ctx.live.cursor < ack.seq && Date.now() < deadline) await sleep(10);
  return { ok: true, diff, applied: true, source: req.source };
}

function issueOf(i: SpecIssue): { path: string; expected: string; got?: unknown } {
  return { path: i.path, expected: i.expected, got: i.got };
}

/**
 * The specs this node registered from a project file, as its last register event of each service
 * carries them. A service that registered itself through the SDK is not the file's to remove.
 * Masked secrets get their real values back, so an edited secret is a change (its path only is shown).
 */
async function runningSpecs(bus: BusWriter, node: string, live: LiveState, secretEnv?: SecretEnv): Promise<SpecsById> {
  const ids = [...new Set(Object.values(live.state.services).filter((s) => s.registeredBy === node).map((s) => s.service))];
  const specs = await Promise.all(
    ids.map(async (id) => {
      const last = await bus.lastEvent(registerSubject(node, id)).catch(() => null);
      const fromProject = last !== null && last.ok && last.event.type === 'orchestrator.service.register' && last.event.origin.component === PROJECT_COMPONENT;
      return fromProject ? unmaskSpecSecrets((last.event.data as { spec: Record<string, unknown> }).spec, secretEnv?.get(id)) : null;
    }),
  );
  return Object.fromEntries(ids.flatMap((id, i) => (specs[i] === null ? [] : [[id, specs[i] as Record<string, unknown>]])));
}

// The controller stops each instance it runs and then retires it; a record it does not run (a
// placed instance elsewhere, a stopped one of an earlier run) is retired directly.
function retire(ctx: ApplyContext, removed: string[]): void {
  const supervised = Object.values(ctx.controller.snapshot().services);
  const events = createEventFactory({ node: ctx.config.node, component: 'apply' });
  for (const id of removed) {
    const keys = supervised.filter((s) => s.service === id).map((s) => s.id);
    for (const key of keys) ctx.controller.dispatch({ kind: 'release', service: key, reason: 'not in the project any more', retire: true });
    if (keys.length === 0) void ctx.bus.publish(events('orchestrator.service.retired', { service: id, reason: 'not in the project any more' })).catch(() => {});
  }
}

// A knock-on restart is asked for once the controller holds the dependency's new spec: from then
// on the dependency is stopping or pending, so the dependent's start waits for it (gating), and
// reads the dependency's new ports and host when it expands its placeholders.
async function restartDependents(ctx: ApplyContext, diff: ProjectDiff, wanted: SpecsById): Promise<void> {
  if (diff.restartedFor.length === 0) return;
  const hashes = new Map(diff.changed.map((c) => [c.service, specHash(wanted[c.service] as Record<string, unknown>)]));
  const deadline = Date.now() + RESPEC_WAIT_MS;
  const taken = (service: string): boolean =>
    Object.values(ctx.controller.snapshot().services).some((s) => s.service === service && s.specHash === hashes.get(service));
  while (Date.now() < deadline && ![...hashes.keys()].every(taken)) await sleep(20);
  for (const { service } of diff.restartedFor) {
    for (const svc of Object.values(ctx.controller.snapshot().services).filter((s) => s.service === service)) {
      const reply = await ctx.controller.command('restart', svc.id, { node: ctx.config.node, component: 'apply' });
      if (!reply.ok) ctx.onProgress?.(`${svc.id} not restarted: ${reply.message}`);
    }
  }
}

/** An apply request's body as sent over the bus, or null when it is not one. */
export function applyRequestOf(body: unknown): ApplyRequest | null {
  const b = body as Record<string, unknown> | null;
  if (typeof b !== 'object' || b === null || typeof b.raw !== 'object' || b.raw === null || typeof b.source !== 'string') return null;
  const list = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined);
  return {
    raw: b.raw,
    source: b.source,
    dryRun: b.dryRun === true,
    ...(typeof b.profile === 'string' ? { profile: b.profile } : {}),
    ...(list(b.only) === undefined ? {} : { only: list(b.only) }),
    ...(list(b.disable) === undefined ? {} : { disable: list(b.disable) }),
  };
}
