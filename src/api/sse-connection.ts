// One server-sent event stream to one client, with a bounded queue so that a slow client costs a
// bounded amount of memory and never slows anyone else. Frames are
// written straight to the socket while it accepts them; once it pushes back they wait in a
// queue of at most `queueLimit` frames. A client that lets the queue overflow is dropped: it
// gets an `event: error` frame if the socket still takes one, the connection is closed, and
// `onDrop` counts it. Nothing here ever waits on a slow client on behalf of anyone else: the
// live state hands frames over with send(), which never blocks.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SSE_HEADERS, sseComment, sseEvent } from './sse.ts';

/** Which kind of client an event stream serves, for metrics. */
export type StreamKind = 'events' | 'dashboard';

/** Options of an SSE connection. */
export interface SseConnectionOptions {
  /** Frames that may wait while the socket is full before the client is dropped. */
  queueLimit: number;
  /** Interval of keep-alive comments; 0 disables them. */
  keepAliveMs: number;
  /** Reconnection delay suggested to the client. */
  retryMs?: number;
  /** Called once when the client is dropped for being too slow. */
  onDrop?(): void;
  /** Called once when the stream ends for any reason. */
  onClose?(): void;
}

/** How long a dropped client's socket may take to flush the error frame before it is destroyed. */
const DROP_GRACE_MS = 1_000;

/** A live event stream to one client. */
export class SseConnection {
  readonly #res: ServerResponse;
  readonly #opts: SseConnectionOptions;
  readonly #queue: (string | Buffer)[] = [];
  #blocked = false;
  #closed = false;
  #dropped = false;
  readonly #keepAlive: NodeJS.Timeout | null;
  readonly #waiters = new Set<() => void>();
  /** Resolves when the stream has ended (client gone, dropped, or closed by us). */
  readonly done: Promise<void>;

  constructor(req: IncomingMessage, res: ServerResponse, opts: SseConnectionOptions) {
    this.#res = res;
    this.#opts = opts;
    req.socket.setNoDelay(true);
    // The stream ends when the connection does, so it needs no chunked framing: each frame is
    // one plain socket write, which matters when every event goes to a hundred clients.
    res.useChunkedEncodingByDefault = false;
    res.writeHead(200, SSE_HEADERS);
    res.write(sseComment('nestor event stream') + (opts.retryMs === undefined ? '' : `retry: ${opts.retryMs}\n\n`));
    let resolveDone: () => void = () => {};
    this.done = new Promise((resolve) => (resolveDone = resolve));
    res.on('drain', () => this.#flush());
    res.once('close', () => {
      this.#closed = true;
      this.#queue.length = 0;
      if (this.#keepAlive !== null) clearInterval(this.#keepAlive);
      this.#wake();
      opts.onClose?.();
      resolveDone();
    });
    this.#keepAlive = opts.keepAliveMs > 0 ? setInterval(() => this.send(sseComment('keep-alive')), opts.keepAliveMs) : null;
    this.#keepAlive?.unref();
  }

  /** False once the stream has ended or the client was dropped. */
  get open(): boolean {
    return !this.#closed && !this.#dropped;
  }

  /** True while the socket pushes back and frames wait in the queue. */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** Frames waiting for the socket. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Hands a frame over without waiting; returns false when the stream is gone (or just dropped). */
  send(frame: string | Buffer): boolean {
    if (!this.open) return false;
    if (!this.#blocked) {
      if (!this.#res.write(frame)) this.#blocked = true;
      return true;
    }
    if (this.#queue.length >= this.#opts.queueLimit) {
      this.drop(`more than ${this.#opts.queueLimit} frames waiting`);
      return false;
    }
    this.#queue.push(frame);
    return true;
  }

  /** Resolves once the socket takes frames again (true) or the stream is gone (false). */
  async writable(): Promise<boolean> {
    while (this.open && (this.#blocked || this.#queue.length > 0)) {
      await new Promise<void>((resolve) => this.#waiters.add(resolve));
    }
    return this.open;
  }

  /** Drops a client that cannot keep up: an error frame if possible, then the connection closes. */
  drop(reason: string): void {
    if (!this.open) return;
    this.#dropped = true;
    this.#queue.length = 0;
    this.#opts.onDrop?.();
    const frame = sseEvent({ event: 'error', data: JSON.stringify({ code: 'slow-consumer', message: `dropped: ${reason}; reconnect with Last-Event-ID to resume` }) });
    this.#res.end(frame);
    // A client that reads nothing never lets end() finish; do not keep its socket around.
    setTimeout(() => this.#res.destroy(), DROP_GRACE_MS).unref();
    this.#wake();
  }

  /** Ends the stream (server shutdown, or a finished response). */
  close(): void {
    if (this.#closed) return;
    this.#dropped = true;
    this.#res.end();
    setTimeout(() => this.#res.destroy(), DROP_GRACE_MS).unref();
    this.#wake();
  }

  #flush(): void {
    this.#blocked = false;
    while (this.#queue.length > 0 && !this.#closed) {
      const frame = this.#queue.shift() as string | Buffer;
      if (!this.#res.write(frame)) {
        this.#blocked = true;
        break;
      }
    }
    this.#wake();
  }

  #wake(): void {
    for (const w of this.#waiters) w();
    this.#waiters.clear();
  }
}
