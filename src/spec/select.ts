// Which registered services a run enables: profile, --only and --disable. Selection never adds
// dependencies; the controller decides what a dependent does about a disabled dependency.
import { closest, summarize } from './issues.ts';
import type { SpecIssue } from './issues.ts';
import { own } from './own.ts';
import type { Project } from './types.ts';

/** The profile used when none is asked for. */
export const DEFAULT_PROFILE = 'default';

/** Selection flags of `nestor up`. */
export interface SelectOptions {
  profile?: string;
  only?: readonly string[];
  disable?: readonly string[];
}

/** Enabled and disabled (registered but not started) service ids, each sorted; or what was wrong. */
export type Selection = { ok: true; enabled: string[]; disabled: string[] } | { ok: false; errors: SpecIssue[] };

/** True when a service belongs to a profile: no profiles = every profile. */
export function inProfile(spec: { profiles: readonly string[]; required?: boolean }, profile: string): boolean {
  return spec.required === true || spec.profiles.length === 0 || spec.profiles.includes(profile);
}

/** Splits a project's services into enabled and disabled; unknown ids or profiles are issues. */
export function selectServices(project: Pick<Project, 'services'>, opts: SelectOptions = {}): Selection {
  const ids = Object.keys(project.services).sort();
  const issues: SpecIssue[] = [];
  const checkIds = (flag: 'only' | 'disable', list: readonly string[]): void => {
    list.forEach((id, i) => {
      const spec = own(project.services, id);
      if (!spec) {
        const hint = closest(id, ids);
        issues.push({
          path: `${flag}[${i}]`,
          expected: `a service of this project${hint ? ` (did you mean "${hint}"?)` : ''}`,
          got: summarize(id),
        });
      } else if (flag === 'disable' && spec.required) {
        issues.push({ path: `${flag}[${i}]`, expected: 'a service that is not required', got: summarize(id) });
      }
    });
  };
  checkIds('only', opts.only ?? []);
  checkIds('disable', opts.disable ?? []);

  const profile = opts.profile ?? DEFAULT_PROFILE;
  const listed = new Set(ids.flatMap((id) => own(project.services, id)?.profiles ?? []));
  if (profile !== DEFAULT_PROFILE && !listed.has(profile)) {
    const known = [...listed].sort();
    issues.push({
      path: 'profile',
      expected: `a profile some service lists (${[DEFAULT_PROFILE, ...known.filter((p) => p !== DEFAULT_PROFILE)].join(', ')})`,
      got: summarize(profile),
    });
  }
  if (issues.length > 0) return { ok: false, errors: issues };

  const disabled = new Set(opts.disable ?? []);
  const only = opts.only && opts.only.length > 0 ? new Set(opts.only) : undefined;
  const enabled = ids.filter((id) => {
    const spec = own(project.services, id);
    if (!spec || disabled.has(id)) return false;
    return only ? only.has(id) : inProfile(spec, profile);
  });
  return { ok: true, enabled, disabled: ids.filter((id) => !enabled.includes(id)) };
}
