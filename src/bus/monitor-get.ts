// GET on nats-server's monitoring endpoint through node:http. Node's fetch() loads undici and
// compiles its WebAssembly HTTP parser on first use: ~2 MB of heap and ~7 MB of resident memory
// that a long-running orchestrator, which only ever asks its broker /healthz at start (and /varz
// when scraped), would keep for good.
import { get } from 'node:http';

/** The status and body of a GET, or a rejection after `timeoutMs` or on a network error. */
export function monitorGet(url: string, timeoutMs: number): Promise<{ status: number; ok: boolean; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      res.setEncoding('utf8');
      let body = '';
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve({ status, ok: status >= 200 && status < 300, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** GET of a JSON document; rejects on a non-2xx status. */
export async function monitorJson(url: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const res = await monitorGet(url, timeoutMs);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}
