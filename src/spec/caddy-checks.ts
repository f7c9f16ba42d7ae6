// Checks of `caddy` blocks that need more than the spec itself: upstreams naming a port of
// this or another service, and template names against the project's config.caddy.templates.
// Pure.
import { caddyTemplateSchema } from './caddy-schema.ts';
import type { CaddyRouteSpec } from './caddy-schema.ts';
import { expectedText, formatPath, fromZodIssues, summarize } from './issues.ts';
import { knownKeysAt } from './known-keys.ts';
import type { SpecIssue } from './issues.ts';
import { own } from './own.ts';
import { portNames } from './placeholders.ts';
import type { ServiceSpec } from './types.ts';

const OWN_PORT = /^\{ports\.([A-Za-z0-9_-]+)\}$/;
const SERVICE_PORT = /\{services\.([A-Za-z0-9_.-]+)\.ports\.([A-Za-z0-9_-]+)\}$/;

/** Problems of the upstreams of a spec's routes; `all` null: the other services are unknown. */
export function checkCaddyUpstreams(spec: ServiceSpec, all: Readonly<Record<string, ServiceSpec>> | null, known: ReadonlySet<string>): SpecIssue[] {
  if (spec.caddy === undefined) return [];
  const issues: SpecIssue[] = [];
  spec.caddy.routes.forEach((route, r) => {
    route.handle.forEach((h, i) => {
      if (h.handler !== 'reverse_proxy') return;
      h.upstreams.forEach((u, j) => {
        const path = formatPath(['services', spec.id, 'caddy', 'routes', r, 'handle', i, 'upstreams', j]);
        const problem = upstreamProblem(u, spec, all, known);
        if (problem !== null) issues.push({ path, expected: problem, got: summarize(u) });
      });
    });
  });
  return issues;
}

function upstreamProblem(u: string, spec: ServiceSpec, all: Readonly<Record<string, ServiceSpec>> | null, known: ReadonlySet<string>): string | null {
  const mine = OWN_PORT.exec(u);
  if (mine !== null) {
    const names = portNames(spec);
    return names.includes(mine[1] as string) ? null : `a port this service declares (${names.length > 0 ? names.join(', ') : 'it declares none'})`;
  }
  const other = SERVICE_PORT.exec(u);
  if (other === null || all === null) return null;
  const [, id, port] = other as unknown as [string, string, string];
  if (!known.has(id)) return 'a service of this project in {services.<id>.ports.<name>} (a route to a service that does not exist)';
  const target = own(all, id);
  if (target === undefined) return null;
  const names = portNames(target);
  return names.includes(port) ? null : `a port declared by service "${id}" (${names.length > 0 ? names.join(', ') : 'it declares none'})`;
}

/** Validates `config.caddy.templates` and the template names the specs use. */
export function checkCaddyTemplates(config: unknown, services: Readonly<Record<string, ServiceSpec>>): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const raw = templatesOf(config);
  for (const [name, value] of Object.entries(raw)) {
    const parsed = caddyTemplateSchema.safeParse(value, { reportInput: true, error: expectedText });
    if (!parsed.success) issues.push(...fromZodIssues(parsed.error.issues, ['config', 'caddy', 'templates', name], (path, input) => knownKeysAt(caddyTemplateSchema, path, input)));
  }
  for (const spec of Object.values(services)) {
    spec.caddy?.templates.forEach((t, i) => {
      if (Object.hasOwn(raw, t)) return;
      const names = Object.keys(raw);
      issues.push({
        path: formatPath(['services', spec.id, 'caddy', 'template', ...(spec.caddy!.templates.length > 1 ? [i] : [])]),
        expected: `a template of config.caddy.templates (${names.length > 0 ? names.join(', ') : 'the project defines none'})`,
        got: summarize(t),
      });
    });
  }
  return issues;
}

/** The raw `config.caddy.templates` mapping of a project's config block ({} when absent). */
export function templatesOf(config: unknown): Record<string, unknown> {
  const caddy = isRecord(config) ? config['caddy'] : undefined;
  const templates = isRecord(caddy) ? caddy['templates'] : undefined;
  return isRecord(templates) ? templates : {};
}

/** The routes a template gives a node: its node variant, else its region's, else its own. */
export function templateRoute(template: unknown, node: string, tags: readonly string[]): CaddyRouteSpec | null {
  const parsed = caddyTemplateSchema.safeParse(template);
  if (!parsed.success) return null;
  const t = parsed.data;
  const region = tags.find((tag) => tag.startsWith('region='))?.slice('region='.length);
  const chosen = (t.nodes && own(t.nodes, node)) ?? (region !== undefined && t.regions ? own(t.regions, region) : undefined) ?? t;
  return { match: chosen.match === undefined ? [] : typeof chosen.match === 'string' ? [chosen.match] : chosen.match, handle: chosen.handle };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
