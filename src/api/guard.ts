// Keeps web pages from driving the API. A browser lets any page send "simple" requests (a form
// POST, a text/plain fetch) to any address, including 127.0.0.1, and DNS rebinding lets a page
// of evil.example read answers from a loopback server once the name points at 127.0.0.1. So:
// - every request must name this server in its Host header (a rebound page sends its own name);
// - a state-changing request must come from the API's own origin when it carries an Origin, and
//   never be marked `Sec-Fetch-Site: cross-site` (clients that are not browsers send neither);
// - a body must be JSON, a type no page can send across origins without a CORS preflight,
//   which this server never grants.
// Only the port-less name is compared for Host: an SSH tunnel or a port forward changes the port,
// and a rebinding attack changes the name.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { HttpError } from './errors.ts';

/** Methods that only read; every other method may change the stack. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const WILDCARD = new Set(['0.0.0.0', '::', '[::]', '']);
const HOST_VALUE = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)\.?(?::(\d{1,5}))?$/;
const SETTING = 'api.allowedHosts (NESTOR_API_ALLOWED_HOSTS)';

/** A host name with an optional port (null: any port). */
interface HostName {
  name: string;
  port: number | null;
}

/** Where the API listens and which more names it answers to. */
export interface GuardOptions {
  /** The listen address (api.host). */
  host: string;
  /** The port actually listened on. */
  port: number;
  /** api.allowedHosts: `name` (any port) or `name:port`. */
  allowedHosts?: readonly string[];
  /** This machine's name, accepted when listening on every interface. */
  machineName?: string;
}

/** The Host, Origin and Content-Type rules of one listening API. */
export class RequestGuard {
  readonly #builtIn: Set<string>;
  readonly #extra: HostName[];
  readonly #anyIp: boolean;
  readonly #origins: string[];

  constructor(opts: GuardOptions) {
    const listen = opts.host.toLowerCase();
    const bracketed = isIP(listen) === 6 ? `[${listen}]` : listen;
    const wildcard = WILDCARD.has(listen);
    const loopback = wildcard || isLoopback(listen);
    this.#builtIn = new Set([...(loopback ? LOOPBACK_NAMES : []), ...(wildcard ? [] : [bracketed])]);
    if (wildcard && opts.machineName !== undefined) this.#builtIn.add(opts.machineName.toLowerCase());
    // On every interface, clients use whichever address routes to the machine. An IP literal
    // cannot be rebound: a page whose origin is an IP is served by that IP's owner.
    this.#anyIp = wildcard;
    this.#extra = (opts.allowedHosts ?? []).map((h) => parseHost(h)).filter((h): h is HostName => h !== null);
    this.#origins = [...this.#builtIn].map((name) => `http://${name}:${opts.port}`);
  }

  /** Throws 421 unless the Host header names this server (DNS rebinding sends another name). */
  checkHost(req: IncomingMessage): void {
    const raw = req.headers.host;
    // Only HTTP/1.0 clients omit Host, and no browser is one of them.
    if (raw === undefined) return;
    const host = parseHost(raw);
    if (host !== null && this.#knows(host)) return;
    throw new HttpError(
      421,
      'misdirected-host',
      `this API does not answer to host ${JSON.stringify(raw)} (a web page may be reaching it through DNS rebinding); it answers to ${this.#names()}; add other names to ${SETTING}`,
    );
  }

  /** Throws 403 for a state-changing request a browser sent from another origin. */
  checkOrigin(req: IncomingMessage): void {
    if (SAFE_METHODS.has(req.method ?? 'GET')) return;
    const allowed = `commands are accepted from pages of ${this.#origins.join(', ')} or a name in ${SETTING}, and from clients that send no Origin (curl, the CLI, ApiClient)`;
    if (req.headers['sec-fetch-site'] === 'cross-site') {
      throw new HttpError(403, 'cross-site', `cross-site request refused: the browser marked it Sec-Fetch-Site: cross-site; ${allowed}`);
    }
    const origin = req.headers.origin;
    if (origin === undefined || this.#originAllowed(origin, req.headers.host)) return;
    throw new HttpError(403, 'cross-site', `cross-site request refused: Origin ${JSON.stringify(origin)} is not this API's origin; ${allowed}`);
  }

  /** Throws 415 when a request carries a body that is not declared as JSON. */
  checkContentType(req: IncomingMessage): void {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody) return;
    const type = req.headers['content-type'];
    if (type?.split(';')[0]?.trim().toLowerCase() === 'application/json') return;
    const got = type === undefined ? 'no Content-Type' : `Content-Type ${JSON.stringify(type)}`;
    throw new HttpError(415, 'unsupported-media-type', `a request body must be JSON (Content-Type: application/json); got ${got}`);
  }

  #knows(host: HostName): boolean {
    if (this.#builtIn.has(host.name)) return true;
    if (this.#anyIp && isIP(unbracket(host.name)) !== 0) return true;
    return this.#extra.some((e) => e.name === host.name && (e.port === null || e.port === host.port));
  }

  #originAllowed(origin: string, hostHeader: string | undefined): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // "null" (sandboxed frames, file: pages) and anything malformed
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.username !== '' || url.password !== '') return false;
    // Same origin as the request: checkHost has already accepted that Host.
    if (hostHeader !== undefined && url.host === hostHeader.toLowerCase()) return true;
    if (this.#origins.includes(url.origin)) return true;
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    return this.#extra.some((e) => e.name === url.hostname && (e.port === null || e.port === port));
  }

  #names(): string {
    const names = [...this.#builtIn, ...this.#extra.map((e) => (e.port === null ? e.name : `${e.name}:${e.port}`))];
    return `${names.join(', ')}${this.#anyIp ? ' and any IP address' : ''}`;
  }
}

function parseHost(value: string): HostName | null {
  const m = HOST_VALUE.exec(value.trim().toLowerCase());
  if (m === null) return null;
  const name = m[1] as string;
  if (name.startsWith('[') && isIP(unbracket(name)) !== 6) return null;
  return { name, port: m[2] === undefined ? null : Number(m[2]) };
}

function unbracket(name: string): string {
  return name.startsWith('[') ? name.slice(1, -1) : name;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || (isIP(host) === 4 && host.startsWith('127.'));
}
