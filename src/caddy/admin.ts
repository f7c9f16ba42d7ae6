// Caddy's admin API on the node's loopback port: GET a config path, POST /load a whole config.
import { request } from 'node:http';

/** An admin call failed; the message carries Caddy's answer. */
export class CaddyAdminError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'CaddyAdminError';
  }
}

function call(port: number, method: string, path: string, body?: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        timeout: timeoutMs,
        // A fresh connection each time: a /load replaces the admin server and closes the old
        // one's connections, and a kept-alive socket would fail the next call.
        agent: false,
        // Caddy's admin API refuses requests whose Host/Origin it does not expect.
        headers: { 'content-type': 'application/json', host: `127.0.0.1:${port}`, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 400) reject(new CaddyAdminError(`caddy ${method} ${path}: ${res.statusCode} ${text.trim()}`, res.statusCode ?? 0));
          else resolve(text);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`caddy ${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** GETs a path of the admin API (e.g. `/config/`) and parses the JSON answer. */
export async function adminGet(port: number, path: string): Promise<unknown> {
  const text = await call(port, 'GET', path, undefined, 2_000);
  return text.trim() === '' ? null : JSON.parse(text);
}

/** Replaces Caddy's whole config (POST /load); the config must carry its admin block. */
export async function adminLoad(port: number, config: unknown): Promise<void> {
  await call(port, 'POST', '/load', JSON.stringify(config), 15_000);
}
