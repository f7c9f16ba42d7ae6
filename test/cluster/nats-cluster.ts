// A real JetStream cluster of N nats-servers on random ports with throwaway stores, for tests
// that need servers to die, freeze or come back. Everything is removed after the test, failed
// or not; a frozen server is thawed first, since a stopped process does not act on SIGKILL
// until it runs again on some systems and would otherwise keep its ports.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectBus, findNatsServer } from '../../src/bus/index.ts';
import type { Bus } from '../../src/bus/index.ts';
import { allocatePort } from '../../src/process/index.ts';
import { allocateRoutePort } from './route-port.ts';
import { testConfig } from '../bus/helpers.ts';
import type { After } from '../bus/helpers.ts';

/** One server of a {@link NatsCluster}. */
export interface ClusterServer {
  /** Its server_name, `n1`, `n2`, ... */
  readonly name: string;
  readonly url: string;
  readonly monitorUrl: string;
  /** SIGKILL; resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGSTOP: the process keeps its sockets but answers nothing. */
  freeze(): void;
  /** SIGCONT after {@link freeze}. */
  thaw(): void;
  /** Kills it if it runs, then starts it again on the same ports and store. */
  restart(): Promise<void>;
  /** The end of what it wrote to stderr, for assertion messages. */
  output(): string;
}

/** A running cluster: its servers and all their client URLs. */
export interface NatsCluster {
  readonly servers: ClusterServer[];
  readonly urls: string[];
}

/** Starts `size` nats-servers as one JetStream cluster and waits until it has a meta leader. */
export async function startNatsCluster(t: After, size = 3): Promise<NatsCluster> {
  const binary = await findNatsServer(process.env.NESTOR_NATS_SERVER);
  const dir = await mkdtemp(join(tmpdir(), 'nestor-cluster-'));
  const servers: Server[] = [];
  // Registered before anything starts, so a failure half-way still cleans up.
  t.after(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await rm(dir, { recursive: true, force: true });
  });
  const ports = [];
  for (let i = 0; i < size; i++) ports.push({ client: await allocatePort(), cluster: await allocateRoutePort(), monitor: await allocatePort() });
  for (const [i, p] of ports.entries()) {
    const name = `n${i + 1}`;
    const routes = ports.filter((_, j) => j !== i).map((o) => `nats://127.0.0.1:${o.cluster}`);
    const configFile = join(dir, `${name}.conf`);
    await writeFile(configFile, renderConfig(name, p, join(dir, name), routes));
    servers.push(new Server(binary, name, configFile, p.client, p.monitor));
  }
  await Promise.all(servers.map((s) => s.start()));
  await waitForMetaLeader(servers);
  return { servers, urls: servers.map((s) => s.url) };
}

function renderConfig(name: string, p: { client: number; cluster: number; monitor: number }, store: string, routes: string[]): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    `server_name: ${q(name)}`,
    `listen: ${q(`127.0.0.1:${p.client}`)}`,
    `http: ${q(`127.0.0.1:${p.monitor}`)}`,
    `jetstream { store_dir: ${q(store)}, max_memory_store: 1073741824, max_file_store: 1073741824 }`,
    `cluster { name: "nestor-lease-test", listen: ${q(`127.0.0.1:${p.cluster}`)}, routes: [${routes.map(q).join(', ')}] }`,
    '',
  ].join('\n');
}

class Server implements ClusterServer {
  readonly url: string;
  readonly monitorUrl: string;
  private child: ChildProcess | null = null;
  private exited: Promise<unknown> = Promise.resolve();
  private log = '';

  constructor(
    private readonly binary: string,
    readonly name: string,
    private readonly configFile: string,
    port: number,
    monitorPort: number,
  ) {
    this.url = `nats://127.0.0.1:${port}`;
    this.monitorUrl = `http://127.0.0.1:${monitorPort}`;
  }

  async start(): Promise<void> {
    const child = spawn(this.binary, ['-c', this.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.exited = once(child, 'exit');
    child.stderr?.setEncoding('utf8');
    // The server says when it accepts connections; wait for that line rather than polling.
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: string) => {
        this.log = (this.log + chunk).slice(-16_000);
        if (this.log.includes('Server is ready')) resolve();
      });
      child.once('exit', () => reject(new Error(`nats-server ${this.name} exited:\n${this.log}`)));
    });
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await this.exited;
  }

  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async restart(): Promise<void> {
    await this.kill();
    this.log = '';
    await this.start();
  }

  output(): string {
    return this.log;
  }
}

// JetStream answers 503 until the servers have elected a meta leader; tests that start right
// away would spend their own timeouts waiting for that.
async function waitForMetaLeader(servers: Server[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const leaders = await Promise.all(servers.map((s) => metaLeader(s.monitorUrl)));
    if (leaders.every((l) => l !== null && l === leaders[0])) return;
    if (Date.now() > deadline) {
      const logs = servers.map((s, i) => `--- ${s.name} (leader seen: ${leaders[i] ?? 'none'}):\n${s.output().slice(-3_000)}`);
      throw new Error(`no JetStream meta leader after 30 s\n${logs.join('\n')}`);
    }
    await sleep(100);
  }
}

/** The server_name of the JetStream meta leader as `monitorUrl`'s server sees it, or null. */
export async function metaLeader(monitorUrl: string): Promise<string | null> {
  try {
    const jsz = (await (await fetch(`${monitorUrl}/jsz`)).json()) as { meta_cluster?: { leader?: string } };
    return jsz.meta_cluster?.leader || null;
  } catch {
    return null;
  }
}

/** A bus in external mode on `urls` (events and leases replicated `replicas` times), closed after the test. */
export async function clusterBus(t: After, urls: string[], node: string, replicas = 3): Promise<Bus> {
  const config = await testConfig(t, { node, nats: { urls }, events: { replicas } }, `lease-${node}`);
  const bus = await connectBus(config, { connectTimeoutMs: 10_000 });
  t.after(() => bus.close());
  return bus;
}
