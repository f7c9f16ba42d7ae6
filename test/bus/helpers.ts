// Shared setup for bus tests: a test-mode config whose data dir is removed after the test.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNatsServer } from '../../src/bus/index.ts';
import { allocatePort } from '../../src/process/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { ConfigInput, NestorConfig } from '../../src/config/index.ts';

/** The slice of node:test's context these helpers use. */
export interface After {
  after(fn: () => Promise<void> | void): void;
}

/** A test-mode config (fresh .data-test dir, random ports), cleaned up after the test. */
export async function testConfig(t: After, flags: ConfigInput = {}, name = 'bus'): Promise<NestorConfig> {
  const env = process.env.NESTOR_NATS_SERVER === undefined ? {} : { NESTOR_NATS_SERVER: process.env.NESTOR_NATS_SERVER };
  const config = await loadConfig({ test: true, testName: name, env, flags, projectFile: null });
  t.after(() => rm(config.dataDir, { recursive: true, force: true }));
  return config;
}

/**
 * A plain nats-server (no Nestor configuration) on a random loopback port, for tests of an
 * external bus; `cleanup` receives its stop (and its store's removal). Resolves with its URL
 * once the server says it accepts connections.
 */
export async function plainNatsServer(cleanup: (fn: () => Promise<void>) => void, opts: { token?: string; jetstream?: boolean } = {}): Promise<string> {
  const port = await allocatePort();
  const store = await mkdtemp(join(tmpdir(), 'nestor-plain-nats-'));
  const args = ['-a', '127.0.0.1', '-p', String(port), ...(opts.token === undefined ? [] : ['--auth', opts.token]), ...(opts.jetstream ? ['-js', '-sd', store] : [])];
  const server = spawn(await findNatsServer(process.env.NESTOR_NATS_SERVER), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  cleanup(async () => {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await exited;
    }
    await rm(store, { recursive: true, force: true });
  });
  let output = '';
  server.stderr.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    server.stderr.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Server is ready')) resolve();
    });
    server.once('exit', () => reject(new Error(`nats-server exited:\n${output}`)));
  });
  return `nats://127.0.0.1:${port}`;
}

/** What onCleanup needs of a test context. */
export interface CleanupContext {
  after(fn: () => Promise<void>): void;
}

// node:test runs after-hooks in the order they were added; a node must stop before the server
// it talks to, so these cleanups run last-added first.
const cleanups = new WeakMap<CleanupContext, (() => Promise<void> | void)[]>();

/** Registers `fn` to run after the test, before every cleanup registered earlier through this. */
export function onCleanup(t: CleanupContext, fn: () => Promise<void> | void): void {
  let list = cleanups.get(t);
  if (list === undefined) {
    const fns: (() => Promise<void> | void)[] = [];
    cleanups.set(t, (list = fns));
    t.after(async () => {
      for (const f of fns.reverse()) await f();
    });
  }
  list.push(fn);
}
