// Supervision of the embedded nats-server: if it dies while the node runs, it is started again
// on the same ports with the same store dir (a file store keeps every event; a memory store
// loses the stream, which is then created again), and the stream and bucket are re-ensured.
// The client reconnects by itself; publishes in flight are retried with their message ids, so
// nothing accepted is lost or stored twice. Contract:
//   in:  the running server and how to relaunch it
//   out: hooks (down, restarted, failed) and the current server
//   never: relaunch after stop(); more than `maxAttempts` relaunches in a row without success.
import { setTimeout as sleep } from 'node:timers/promises';
import type { EmbeddedServer, LaunchOptions } from './launch.ts';
import { launchNatsServer } from './launch.ts';

/** What a broker supervisor reports. */
export interface BrokerHooks {
  /** The server exited unexpectedly; a restart follows. */
  onDown?(detail: string): void;
  /** A new server runs; `pid` is its process. */
  onRestarted?(pid: number): void;
  /** Every relaunch failed: the bus is gone for good. */
  onFailed?(err: unknown): void;
  /** The restarted server runs but the stream could not be set up again. */
  onError?(err: unknown): void;
}

/** Keeps an embedded server running until stopped. */
export class BrokerSupervisor {
  private server: EmbeddedServer;
  private stopped = false;
  private readonly watching: Promise<void>;

  constructor(
    first: EmbeddedServer,
    private readonly options: LaunchOptions,
    private readonly afterRestart: () => Promise<void>,
    private readonly hooks: BrokerHooks = {},
    private readonly maxAttempts = 5,
  ) {
    this.server = first;
    this.watching = this.watch();
  }

  /** The server running now. */
  current(): EmbeddedServer {
    return this.server;
  }

  private async watch(): Promise<void> {
    for (;;) {
      const exit = await this.server.exited;
      if (this.stopped) return;
      this.hooks.onDown?.(`nats-server (pid ${this.server.pid}) exited with ${exit.signal ?? `code ${exit.code}`}`);
      const next = await this.relaunch();
      if (next === null) return;
      this.hooks.onRestarted?.(next.pid);
    }
  }

  private async relaunch(): Promise<EmbeddedServer | null> {
    // The same ports, so every client reconnects to the URL it already has.
    const url = new URL(this.server.natsUrl);
    const monitor = new URL(this.server.monitorUrl);
    const options: LaunchOptions = { ...this.options, port: Number(url.port), monitorPort: Number(monitor.port) };
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts && !this.stopped; attempt++) {
      try {
        const server = await launchNatsServer(options);
        // Current at once, so a stop() from now on stops this one.
        this.server = server;
        if (this.stopped) {
          await server.stop();
          return null;
        }
        // The server runs; if the stream cannot be re-ensured the next publishes report it.
        await this.afterRestart().catch((err: unknown) => this.hooks.onError?.(err));
        return server;
      } catch (err) {
        lastError = err;
        await sleep(Math.min(2_000, 100 * 2 ** attempt));
      }
    }
    if (!this.stopped) this.hooks.onFailed?.(lastError);
    return null;
  }

  /** Stops supervising and stops the current server. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.server.stop();
    await Promise.race([this.watching, sleep(100)]);
  }
}
