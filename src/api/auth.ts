// The API token. With `api.token` set, every route but /healthz needs it, as
// `Authorization: Bearer <token>` or, for EventSource and links a browser opens, `?token=`.
// Tokens are compared in constant time (both sides hashed first, so lengths do not leak).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The token a request presents, from the Authorization header or the `token` query parameter. */
export function presentedToken(req: IncomingMessage, url: URL): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (m?.[1] !== undefined) return m[1];
  }
  return url.searchParams.get('token');
}

/** True when no token is configured or the request presents the configured one. */
export function isAuthorized(req: IncomingMessage, url: URL, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = presentedToken(req, url);
  return given !== null && sameSecret(given, token);
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
