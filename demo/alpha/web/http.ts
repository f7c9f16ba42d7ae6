// Response helpers shared by the demo handlers.
import type { ServerResponse } from 'node:http';

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body) + '\n');
}

/** Sends an HTML page. */
export function sendHtml(res: ServerResponse, html: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

/** Sends plain text (Prometheus exposition format uses this content type). */
export function sendText(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

/** 404 for unknown paths, 405 for methods other than GET/HEAD. */
export function sendNotFound(res: ServerResponse, method: string | undefined, path: string): void {
  if (method !== 'GET' && method !== 'HEAD') sendJson(res, 405, { error: `method ${method ?? '?'} not allowed` });
  else sendJson(res, 404, { error: `no route for ${path}` });
}
