// One probe attempt: http GET, tcp connect, or a command run without a shell. Never throws: every
// failure, including a malformed probe, is a failed result with a detail for humans.
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { ProbeSpec } from '../spec/index.ts';

/** Outcome of one probe attempt. */
export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  detail: string;
}

/** Extra context for probes; exec probes take the service's env and cwd when given. */
export interface ProbeContext {
  signal?: AbortSignal;
  env?: Record<string, string>;
  cwd?: string;
}

const DETAIL_MAX = 300;

/** Runs one attempt of the probe, bounded by probe.timeoutMs (and ctx.signal). */
export async function runProbe(probe: ProbeSpec, ctx: ProbeContext = {}): Promise<ProbeResult> {
  const started = performance.now();
  // One controller and one plain timer per attempt: AbortSignal.timeout and AbortSignal.any
  // track their signals through weak references and a finalization registry, which at one
  // attempt per service per second was a visible share of an idle node's CPU and GC.
  const ac = new AbortController();
  const { signal } = ac;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort(new Error(`timed out after ${probe.timeoutMs}ms`));
  }, Math.max(1, probe.timeoutMs));
  const forward = (): void => ac.abort(ctx.signal?.reason);
  if (ctx.signal?.aborted) forward();
  else ctx.signal?.addEventListener('abort', forward, { once: true });
  let outcome: { ok: boolean; detail: string };
  try {
    switch (probe.type) {
      case 'http':
        outcome = await httpProbe(probe, signal);
        break;
      case 'tcp':
        outcome = await tcpProbe(probe, signal);
        break;
      case 'exec':
        outcome = await execProbe(probe, signal, ctx);
        break;
      case 'log':
        // A log probe has no attempts: the runner matches output lines as they arrive (log-probe.ts).
        outcome = { ok: false, detail: 'a log probe is watched on the output, not run' };
        break;
    }
  } catch (err) {
    outcome = { ok: false, detail: timedOut ? `timed out after ${probe.timeoutMs}ms` : describe(err) };
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', forward);
  }
  return { ok: outcome.ok, latencyMs: performance.now() - started, detail: outcome.detail.slice(0, DETAIL_MAX) };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch wraps the socket error ("fetch failed"); the cause says what actually happened.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

// node:http rather than fetch: a probe runs every interval for every service, and a plain
// request costs markedly less CPU than undici's fetch. No keep-alive: each attempt must prove
// the service accepts a new connection.
function httpProbe(probe: ProbeSpec, signal: AbortSignal): Promise<{ ok: boolean; detail: string }> {
  if (!probe.endpoint) return Promise.resolve({ ok: false, detail: 'http probe has no endpoint' });
  let url: URL;
  try {
    url = new URL(probe.endpoint);
  } catch {
    return Promise.resolve({ ok: false, detail: `http probe endpoint is not a URL: ${probe.endpoint}` });
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, signal, headers: { 'user-agent': 'nestor-probe' } }, (res) => {
      const status = res.statusCode ?? 0;
      // Drain the body so the socket closes; its content does not matter.
      res.resume();
      res.once('end', () => {
        const ok = probe.expectedStatus.length > 0 ? probe.expectedStatus.includes(status) : status >= 200 && status < 400;
        resolve({ ok, detail: `HTTP ${status}` });
      });
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

/** Splits "host:port", "[v6]:port" or "tcp://host:port". */
export function parseHostPort(endpoint: string): { host: string; port: number } | null {
  const text = endpoint.replace(/^tcp:\/\//, '');
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]*):(\d+)$/.exec(text);
  if (!m?.[2]) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1] || '127.0.0.1', port };
}

function tcpProbe(probe: ProbeSpec, signal: AbortSignal): Promise<{ ok: boolean; detail: string }> {
  const target = probe.endpoint ? parseHostPort(probe.endpoint) : null;
  if (target === null) return Promise.resolve({ ok: false, detail: `tcp probe needs host:port, got ${JSON.stringify(probe.endpoint)}` });
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port, signal });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true, detail: `connected to ${target.host}:${target.port}` });
    });
    socket.once('error', reject);
  });
}

function execProbe(probe: ProbeSpec, signal: AbortSignal, ctx: ProbeContext): Promise<{ ok: boolean; detail: string }> {
  const [command, ...args] = probe.command ?? [];
  if (command === undefined) return Promise.resolve({ ok: false, detail: 'exec probe has no command' });
  return new Promise((resolve, reject) => {
    // Own group, so a timeout kills whatever the probe command forked too.
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: ctx.env ?? process.env, cwd: ctx.cwd });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-DETAIL_MAX);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const onAbort = (): void => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    child.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.once('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return reject(signal.reason);
      const how = sig ? `killed by ${sig}` : `exit ${code}`;
      const tail = output.trim();
      resolve({ ok: code === 0, detail: tail ? `${how}: ${tail}` : how });
    });
  });
}
