// Matches a request to a route: fixed segments compare exactly, `:name` segments capture one
// decoded path segment. A path that matches with another method answers 405.
import type { Route } from './context.ts';

/** A route that matched, with its captured parameters. */
export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** Finds the route of a method and path; `allowed` lists the methods of a path-only match. */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): { match: RouteMatch | null; allowed: string[] } {
  const parts = split(pathname);
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(split(route.path), parts);
    if (params === null) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { match: { route, params }, allowed };
    allowed.push(route.method);
  }
  return { match: null, allowed };
}

function split(path: string): string[] {
  return path.split('/').filter((p) => p !== '');
}

function matchPath(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const v = parts[i] as string;
    if (p.startsWith(':')) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(v);
      } catch {
        return null;
      }
      params[p.slice(1)] = decoded;
    } else if (p !== v) {
      return null;
    }
  }
  return params;
}
