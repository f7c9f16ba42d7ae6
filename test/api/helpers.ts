// Shared by the API and UI tests: the demo services on random ports with quick probes and
// restarts, a harness running them, an SSE reader, and /proc checks.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SseParser } from '../../src/api/index.ts';
import type { ApiServer, SseMessage } from '../../src/api/index.ts';
import type { ConfigInput } from '../../src/config/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';

/** The repository root. */
export const PROJECT_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** A demo's service.json on a random port, probing every 100 ms and restarting after 20 ms. */
export async function demoSpec(name: 'alpha' | 'beta'): Promise<Record<string, unknown>> {
  const spec = JSON.parse(await readFile(join(PROJECT_DIR, 'demo', name, 'service.json'), 'utf8')) as Record<string, unknown>;
  const { id: _id, ...rest } = spec;
  return {
    ...rest,
    portStrategy: 'random',
    ports: { primary: { protocol: 'http' } },
    health: { ...(rest.health as Record<string, unknown>), interval: '100ms' },
    backoff: '20ms',
  };
}

/** A harness running alpha and beta (built into .dep when stale), both ready. */
export async function demoStack(name: string, flags?: ConfigInput): Promise<Harness> {
  const h = await createHarness({ name, flags, specs: { alpha: await demoSpec('alpha'), beta: await demoSpec('beta') } });
  try {
    await h.waitForState('alpha', 'ready', { timeoutMs: 30_000 });
    await h.waitForState('beta', 'ready', { timeoutMs: 30_000 });
    return h;
  } catch (err) {
    await h.close();
    throw err;
  }
}

/** An open SSE response being read: messages so far, and a way to wait for more. */
export interface SseReader {
  messages: SseMessage[];
  parser: SseParser;
  /** Resolves once `check` holds for the messages read (now or later); rejects on timeout or end. */
  until(what: string, check: (messages: SseMessage[], parser: SseParser) => boolean, timeoutMs?: number): Promise<SseMessage[]>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens `url` as an event stream and reads it in the background. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: abort.signal });
  if (res.status !== 200 || res.body === null) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  const parser = new SseParser();
  const messages: SseMessage[] = [];
  const waiters = new Set<() => void>();
  let done = false;
  const ended = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        messages.push(...parser.push(decoder.decode(chunk, { stream: true })));
        for (const w of [...waiters]) w();
      }
    } catch {
      // aborted by close(), or the server dropped the connection
    } finally {
      done = true;
      for (const w of [...waiters]) w();
    }
  })();
  const until = (what: string, check: (m: SseMessage[], p: SseParser) => boolean, timeoutMs = 10_000): Promise<SseMessage[]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`timed out waiting for ${what}; got ${messages.length} messages`)), timeoutMs);
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        waiters.delete(test);
        if (err === undefined) resolve(messages);
        else reject(err);
      };
      const test = (): void => {
        if (check(messages, parser)) finish();
        else if (done) finish(new Error(`the stream ended before ${what}; got ${messages.length} messages`));
      };
      waiters.add(test);
      test();
    });
  return { messages, parser, until, ended, close: () => abort.abort() };
}

/** The stored events among SSE messages (unnamed messages with an id), parsed. */
export function eventsOf(messages: SseMessage[]): { seq: number; type: string; data: Record<string, unknown>; id: string }[] {
  return messages
    .filter((m) => m.event === 'message' && m.id !== null)
    .map((m) => {
      const e = JSON.parse(m.data) as { seq: number; type: string; data: Record<string, unknown>; id: string };
      if (String(e.seq) !== m.id) throw new Error(`SSE id ${m.id} differs from the event's seq ${e.seq}`);
      return e;
    });
}

/** True while `pid` exists and is not a zombie (Linux /proc). */
export async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  return state !== undefined && state !== '' && state !== 'Z';
}

/** Polls `check` until it holds; only for conditions no event reports (the process table). */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** GET a URL; status, content type and body. */
export async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string; headers: Headers }> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text(), headers: res.headers };
}

/** POST to a URL; status and parsed JSON body. */
export async function post(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
}

/** Resolves once the API's live state has processed stream sequence `seq`. */
export function liveReached(api: ApiServer, seq: number, timeoutMs = 10_000): Promise<void> {
  if (api.live.cursor >= seq) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the API's live state is at ${api.live.cursor}, not ${seq}`));
    }, timeoutMs);
    const stop = api.live.subscribe((item) => {
      if (item.event.seq < seq) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}
