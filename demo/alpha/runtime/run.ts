// The life of a demo service: test behaviours first (they must act before anything else),
// then an HTTP server until SIGTERM. This is the program itself, so it may exit the process.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectFromEnv, registerSpec } from '../../../src/sdk/index.ts';
import type { ServiceEnv } from '../../../src/sdk/index.ts';
import type { DemoOptions } from '../cli/index.ts';
import { oneshotWork, printLogLines, scheduleCrash, spawnSleeper, startChatter } from './behaviours.ts';
import type { DemoContext } from './context.ts';

/** A request handler of a demo; it may be async (beta calls alpha). */
export type DemoHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** What makes one demo service different from another. */
export interface DemoDefinition {
  name: string;
  version: string;
  /** The service's own spec (service.json), registered with --register. */
  spec: Record<string, unknown>;
  defaultPort: number;
  createHandler(ctx: DemoContext): DemoHandler;
}

/** Runs a demo service to completion (one-shot) or until it is signalled. */
export async function runDemo(def: DemoDefinition, options: DemoOptions, env: ServiceEnv): Promise<void> {
  const { name } = def;
  if (options.failAtStart) {
    console.error(`${name}: failing at start as asked (--fail-at-start), exit 3`);
    process.exit(3);
  }
  if (options.logLines > 0) printLogLines(name, options.logLines);
  if (options.register) await register(def, env);
  if (options.oneshot) {
    const { digest, rounds } = oneshotWork(name);
    const code = options.exitCode ?? 0;
    console.log(`${name} oneshot: ${rounds} sha256 rounds -> ${digest.slice(0, 16)}, exit ${code}`);
    process.exit(code);
  }

  const ctx: DemoContext = {
    name,
    version: def.version,
    pid: process.pid,
    startedAtMs: Date.now(),
    host: options.host,
    port: options.port ?? env.ports.primary ?? def.defaultPort,
    env,
    options,
    stats: { total: 0, byPath: new Map() },
  };
  if (options.ignoreSigterm) ctx.sleeperPid = await spawnSleeper();
  const handler = def.createHandler(ctx);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://demo').pathname;
    ctx.stats.total++;
    ctx.stats.byPath.set(path, (ctx.stats.byPath.get(path) ?? 0) + 1);
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      console.error(`${name}: ${req.method} ${path} failed: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    console.error(`${name}: cannot listen on ${ctx.host}:${ctx.port}: ${err.code ?? err.message}`);
    process.exit(1);
  });
  let stopChatter: () => void = () => undefined;
  installSignalHandlers(name, options, () => {
    stopChatter();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
  await new Promise<void>((resolve) => server.listen(ctx.port, ctx.host, resolve));
  ctx.port = (server.address() as AddressInfo).port;
  const where = [`service=${env.service ?? '-'}`, `node=${env.node ?? '-'}`];
  if (ctx.sleeperPid !== undefined) where.push(`sleeper=${ctx.sleeperPid}`);
  console.log(`${name} listening on http://${ctx.host}:${ctx.port} pid=${process.pid} ${where.join(' ')}`);

  if (options.crashAfterMs !== undefined) scheduleCrash(name, options.crashAfterMs, options.exitCode ?? 1);
  if (options.chatty) stopChatter = startChatter(name);
}

// Installed before the server listens: a signal sent as soon as the startup line appears must
// find its handler, or Node's default action would kill the process.
function installSignalHandlers(name: string, options: DemoOptions, close: () => void): void {
  const shutdown = (signal: string): void => {
    console.log(`${name}: ${signal}, shutting down`);
    close();
  };
  if (options.ignoreSigterm) process.on('SIGTERM', () => console.log(`${name}: ignoring SIGTERM (--ignore-sigterm)`));
  else process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

async function register(def: DemoDefinition, env: ServiceEnv): Promise<void> {
  try {
    const nc = await connectFromEnv({ name: def.name });
    try {
      const reg = await registerSpec(nc, def.spec, { source: `demo:${def.name}` });
      console.log(`${def.name} registered its spec: ${reg.subject} seq=${reg.seq} hash=${reg.event.data.specHash.slice(0, 12)}`);
    } finally {
      await nc.close();
    }
  } catch (err) {
    console.error(`${def.name}: registration failed: ${(err as Error).message} (NESTOR_NATS_URL=${env.natsUrl ?? 'unset'})`);
    process.exit(1);
  }
}
