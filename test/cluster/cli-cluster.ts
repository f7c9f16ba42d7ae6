// Several `nestor up` nodes on one machine, joined into one NATS cluster the way users join
// machines (--cluster-port and --join), each in its own project folder and data dir with random
// ports. What runs where is read from /proc (every service process carries a marker of its
// test in its environment, and NESTOR_INSTANCE/NESTOR_NODE), independently of Nestor's events.
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, startCli } from '../../src/harness/index.ts';
import type { CliResult, CliSession } from '../../src/harness/index.ts';
import { allocateRoutePort } from './route-port.ts';

/**
 * Lease timings short enough for tests, long enough for a loaded 2-core machine; and the address
 * services are reached at, which is loopback here (the services of these tests listen there).
 */
export const FAST_MEMBERSHIP = { NESTOR_HEARTBEAT_MS: '300', NESTOR_LEASE_TTL_MS: '2500', NESTOR_FENCE_AFTER_MS: '1200', NESTOR_NODE_ADDRESS: '127.0.0.1' };

/** One node of a test cluster. */
export interface TestNode {
  id: string;
  dir: string;
  /** The running `nestor up`; replaced when the node is restarted. */
  session: CliSession;
  /** Runs a CLI verb from this node's project folder. */
  cli(args: string[], timeoutMs?: number): Promise<CliResult>;
  /** Pid of this node's embedded nats-server. */
  natsPid(): Promise<number>;
  /** Pid of this node's `nestor up`. */
  upPid(): number;
}

/** A running test cluster. */
export interface TestCluster {
  run: string;
  nodes: TestNode[];
  node(id: string): TestNode;
  /** The cluster (route) port of a node. */
  clusterPort(id: string): number;
  /** Live service processes of this test: instance name → [{ pid, node }]. */
  processes(): Map<string, { pid: number; node: string }[]>;
}

/** Options of startCluster. */
export interface ClusterOptions {
  /** Node ids and tags, in start order; the first one registers `project`. */
  nodes: NodeSpec[];
  /** The project (YAML) of the first node; the others run `{ services: {} }`. */
  project: (run: string) => string;
  env?: Record<string, string>;
  /** false: the default lease timings instead of FAST_MEMBERSHIP (benchmarks measure those). */
  fast?: boolean;
  /** How long a `nestor up` may run before the harness kills it (long soaks outlive the default). */
  upTimeoutMs?: number;
}

/** Starts the nodes together and waits until each says it is up; everything is killed after the test. */
export async function startCluster(
  t: Pick<TestContext, 'after'>,
  opts: ClusterOptions,
): Promise<TestCluster & { addNode(spec: NodeSpec, project?: string): Promise<TestNode>; restart(id: string): Promise<TestNode> }> {
  const run = randomUUID();
  const ports = new Map<string, number>();
  for (const spec of opts.nodes) ports.set(spec.id, await allocateRoutePort());
  const nodes: TestNode[] = [];
  diagnose = () => diagnoseCluster(nodes, run);
  t.after(async () => {
    diagnose = undefined;
    for (const n of nodes) killTree(n);
    killMarked(run);
    await sleep(200);
    for (const n of nodes) await rm(n.dir, { recursive: true, force: true }).catch(() => {});
  });
  const env = { ...(opts.fast === false ? { NESTOR_NODE_ADDRESS: FAST_MEMBERSHIP.NESTOR_NODE_ADDRESS } : FAST_MEMBERSHIP), ...opts.env };
  const argsOf = new Map<string, string[]>();
  const launch = async (spec: NodeSpec, project: string): Promise<TestNode> => {
    const dir = await mkdtemp(join(tmpdir(), `nestor-cluster-${spec.id}-`));
    await writeFile(join(dir, 'nestor.yaml'), project);
    const own = ports.get(spec.id) ?? (await allocateRoutePort());
    ports.set(spec.id, own);
    const routes = [...ports].filter(([id]) => id !== spec.id).flatMap(([, p]) => ['--join', `nats://127.0.0.1:${p}`]);
    const args = ['up', '--node', spec.id, '--cluster-name', 'test', '--cluster-port', String(own), ...routes, ...(spec.tags ?? []).flatMap((tag) => ['--tag', tag])];
    argsOf.set(spec.id, args);
    const session = startCli(args, { cwd: dir, env, timeoutMs: opts.upTimeoutMs ?? 600_000 });
    const node: TestNode = {
      id: spec.id,
      dir,
      session,
      cli: (a, timeoutMs = 30_000) => runCli(a, { cwd: dir, env, timeoutMs }),
      natsPid: async () => Number(await readFile(join(dir, '.data', 'nats', 'nats-server.pid'), 'utf8')),
      upPid: () => node.session.pid,
    };
    nodes.push(node);
    return node;
  };
  const first = await Promise.all(opts.nodes.map((spec, i) => launch(spec, i === 0 ? opts.project(run) : 'services: {}\n')));
  await Promise.all(first.map((n) => waitUp(n)));
  return {
    run,
    nodes,
    node: (id) => {
      const n = nodes.find((x) => x.id === id);
      if (n === undefined) throw new Error(`no test node ${id}`);
      return n;
    },
    processes: () => markedProcesses(run),
    clusterPort: (id) => ports.get(id) ?? 0,
    async addNode(spec, project = 'services: {}\n') {
      const node = await launch(spec, project);
      await waitUp(node);
      return node;
    },
    // A node brought back after a kill: a new `nestor up` in the same folder (same data dir, so
    // the same JetStream store) with the arguments it was first started with.
    async restart(id) {
      const node = nodes.find((x) => x.id === id);
      const args = argsOf.get(id);
      if (node === undefined || args === undefined) throw new Error(`no test node ${id}`);
      killTree(node);
      node.session = startCli(args, { cwd: node.dir, env, timeoutMs: opts.upTimeoutMs ?? 600_000 });
      await waitUp(node);
      return node;
    },
  };
}

// `nestor up` says "node … up" on stderr; a node is up for the other verbs once `info` finds it.
async function waitUp(node: TestNode): Promise<void> {
  await eventually(`node ${node.id} up`, async () => ((await node.cli(['info', '--json'], 10_000)).code === 0 ? true : undefined), 120_000, 500);
}

/** A node to start: its id and tags. */
export interface NodeSpec {
  id: string;
  tags?: string[];
}

function environOf(pid: string): Map<string, string> | null {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return new Map(env.filter((e) => e.includes('=')).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  } catch {
    return null;
  }
}

function isZombie(pid: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Service processes whose environment carries CLUSTER_RUN=<run>, by instance name. */
export function markedProcesses(run: string): Map<string, { pid: number; node: string }[]> {
  const out = new Map<string, { pid: number; node: string }[]>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const env = environOf(pid);
    if (env?.get('CLUSTER_RUN') !== run || isZombie(pid)) continue;
    const instance = env.get('NESTOR_INSTANCE') ?? '?';
    out.set(instance, [...(out.get(instance) ?? []), { pid: Number(pid), node: env.get('NESTOR_NODE') ?? '?' }]);
  }
  return out;
}

function killMarked(run: string): void {
  for (const list of markedProcesses(run).values()) for (const p of list) kill(p.pid);
}

// `nestor up`, its guardian and its nats-server all name the node's folder on their command line.
function killTree(node: TestNode): void {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(node.dir)) {
        kill(Number(pid), 'SIGCONT');
        kill(Number(pid));
      }
    } catch {
      // gone
    }
  }
  kill(node.session.pid);
}

function kill(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

// What a running test cluster looks like, printed when a wait times out: CI keeps only the
// output, and a cluster that did not converge is understood from every node's view of it.
let diagnose: (() => Promise<void>) | undefined;

async function diagnoseCluster(nodes: TestNode[], run: string): Promise<void> {
  const out: string[] = ['--- cluster diagnosis ---'];
  const procs = [...markedProcesses(run)].map(([id, l]) => `${id}:${l.map((p) => `${p.node}/${p.pid}`).join(',')}`);
  out.push(`processes: ${procs.join(' ') || 'none'}`);
  for (const n of nodes) {
    const [status, members] = await Promise.all([n.cli(['status'], 15_000), n.cli(['nodes'], 15_000)]);
    out.push(`== ${n.id} status (exit ${status.code})`, status.stdout.trim(), status.stderr.trim());
    out.push(`== ${n.id} nodes (exit ${members.code})`, members.stdout.trim(), members.stderr.trim());
    // The node's own live state (what its scheduler and controller act on), beside what the
    // CLI reduced from the stream just now.
    const info = await n.cli(['info', '--json'], 15_000);
    const api = info.code === 0 ? info.json<{ api?: string }>().api : undefined;
    try {
      const res = api === undefined ? null : await fetch(`${api}/api/v1/state`, { signal: AbortSignal.timeout(10_000) });
      const live = res?.ok === true ? ((await res.json()) as { seq: number; services: Record<string, { state: string; node: string }> }) : null;
      const svcs = Object.entries(live?.services ?? {}).map(([k, v]) => `${k}=${v.state}@${v.node}`).join(' ');
      out.push(`== ${n.id} live state (HTTP ${res?.status ?? '-'}) at seq ${live?.seq ?? '?'}: ${svcs}`);
    } catch (err) {
      out.push(`== ${n.id} live state: ${(err as Error).message}`);
    }
    const log = await readFile(join(n.dir, '.data', 'nestor.log'), 'utf8').catch(() => '');
    const lines = log.trim().split('\n');
    out.push(`== ${n.id} nestor.log (last 40 of ${lines.length} lines)`, ...lines.slice(-40));
  }
  const events = await nodes[0]?.cli(['events'], 30_000);
  out.push('== last 150 events', ...(events?.stdout.trim().split('\n').slice(-150) ?? []));
  process.stderr.write(`${out.join('\n')}\n--- end of diagnosis ---\n`);
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, everyMs = 1_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      await diagnose?.().catch((err: unknown) => process.stderr.write(`cluster diagnosis failed: ${String(err)}\n`));
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await sleep(everyMs);
  }
}

/** `nestor status --json` from a node, tried again for a while when the CLI fails (a cluster electing a leader). */
export async function statusOf<T>(node: TestNode, timeoutMs = 30_000): Promise<T> {
  return eventually(`status from ${node.id}`, async () => {
    const res = await node.cli(['status', '--json']);
    if (res.code !== 0) throw new Error(`status exited ${res.code}: ${res.stderr.trim()}`);
    return res.json<T>();
  }, timeoutMs, 500);
}

/** One instance row of `nestor status --json`. */
export interface InstanceRow {
  id: string;
  node: string;
  state: string;
  pid: number | null;
  ports: Record<string, number>;
}

/** Every instance as a node's `nestor status --json` shows it, by instance name (tried again while the CLI fails). */
export async function instancesOf(node: TestNode, timeoutMs?: number): Promise<Map<string, InstanceRow>> {
  const res = await statusOf<{ services: { instances: InstanceRow[] }[] }>(node, timeoutMs);
  return new Map(res.services.flatMap((r) => r.instances.map((i) => [i.id, i] as const)));
}

/** A service block that idles, carries the test's marker, and takes the given extra YAML lines. */
export function idleService(run: string, extra = ''): string {
  return `    process: { command: node, args: ["-e", "setInterval(() => {}, 1000)"], env: { CLUSTER_RUN: "${run}" }, stopTimeout: 2s }
${extra}`;
}
