// Writing JSON answers and reading validated parameters, shared by the REST handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { HttpError } from './errors.ts';

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

/** Writes an error answer `{ error: { code, message } }`. */
export function sendError(res: ServerResponse, err: HttpError, headers: Record<string, string> = {}): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message } }, headers);
}

/** Parses a value with a schema, or throws a 400 (or `status`) naming each problem. */
export function parseOr<T extends z.ZodType>(schema: T, value: unknown, what: string, status = 400, code = 'bad-request'): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new HttpError(status, code, `${what}: ${r.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`);
}

const COMPONENT = /^[a-z][a-z0-9-]{0,31}$/;

/** The component a request names in `X-Nestor-Component` (the dashboard, the TUI), else `api`. */
export function requesterComponent(req: IncomingMessage): string {
  const asked = req.headers['x-nestor-component'];
  return typeof asked === 'string' && COMPONENT.test(asked) ? asked : 'api';
}
