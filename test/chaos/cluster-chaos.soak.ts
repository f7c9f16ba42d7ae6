// Seeded chaos over a real cluster: each round picks a node and either kills it (its `nestor up`
// and its nats-server, SIGKILL) or freezes its nats-server (SIGSTOP, then SIGCONT), waits, and
// brings a killed node back, so at most one node is away at a time (the JetStream cluster needs a
// majority of its servers). A /proc sampler runs every 50 ms the whole time: an instance name
// with two live processes is an overlap, which must never happen. At the end every movable
// instance must be ready and run exactly once.
//
// It runs only as `npm run soak -- cluster` (NESTOR_CHAOS_ROUNDS rounds, default 4; the soak
// script passes --rounds), never in `npm test`. NESTOR_CHAOS_SEED (or CHAOS_SEED) replays a
// run's choices; timing still varies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, FAST_MEMBERSHIP, idleService, instancesOf, startCluster } from '../cluster/cli-cluster.ts';
import type { InstanceRow, TestCluster, TestNode } from '../cluster/cli-cluster.ts';
import { between, chaosSeed, mulberry32 } from './prng.ts';

const ROUNDS = Number(process.env.NESTOR_CHAOS_ROUNDS ?? 4);
const NODE_COUNT = Number(process.env.NESTOR_CHAOS_NODES ?? 3);
const SEED = chaosSeed({ CHAOS_SEED: process.env.NESTOR_CHAOS_SEED ?? process.env.CHAOS_SEED });
const NAMES = ['web@1', 'web@2', 'web@3', 'worker@1', 'worker@2', 'solo@1'];
const LEASE_TTL_MS = Number(FAST_MEMBERSHIP.NESTOR_LEASE_TTL_MS);

/** What the /proc sampler saw over the whole run. */
interface Watch {
  samples: number;
  overlaps: string[];
  /** Longest stretch an instance had no live process, with its name. */
  longestGap: { instance: string; ms: number };
}

// Follows every instance from the moment the stack first ran: overlaps, and gaps (how long an
// instance had no process at all, the cost of each failover as the kernel sees it).
function watch(cluster: TestCluster): { stop(): Promise<Watch> } {
  let running = true;
  const report: Watch = { samples: 0, overlaps: [], longestGap: { instance: '', ms: 0 } };
  const missingSince = new Map<string, number>();
  const closeGap = (name: string, now: number): void => {
    const since = missingSince.get(name);
    if (since === undefined) return;
    missingSince.delete(name);
    if (now - since > report.longestGap.ms) report.longestGap = { instance: name, ms: now - since };
  };
  const loop = (async () => {
    while (running) {
      const now = Date.now();
      const procs = cluster.processes();
      for (const name of NAMES) {
        const list = procs.get(name) ?? [];
        if (list.length > 1) report.overlaps.push(`${new Date(now).toISOString()} ${name}: ${list.map((p) => `${p.pid}@${p.node}`).join(', ')}`);
        if (list.length === 0) {
          if (!missingSince.has(name)) missingSince.set(name, now);
        } else closeGap(name, now);
      }
      report.samples++;
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      for (const name of [...missingSince.keys()]) closeGap(name, Date.now());
      return report;
    },
  };
}

const statusOf = (node: TestNode): Promise<Map<string, InstanceRow>> => instancesOf(node, 15_000);

async function allAlive(node: TestNode, count: number): Promise<true | undefined> {
  const nodes = (await node.cli(['nodes', '--json'], 15_000)).json<{ nodes: { id: string; state: string }[] }>().nodes;
  return nodes.filter((n) => n.state === 'alive').length === count ? true : undefined;
}

// Placement, movement and fencing events from a live node: what a failed run needs to be read.
async function eventExcerpt(node: TestNode): Promise<string> {
  const res = await node.cli(['events', '--json'], 60_000).catch(() => null);
  if (res === null || res.code !== 0) return '(events unavailable)';
  const wanted = /node\.(up|down|fenced)|service\.(placed|lost|unplaced|start|stop|exit|ready)$/;
  return res
    .jsonLines<{ seq: number; timestamp: string; type: string; data: Record<string, unknown> }>()
    .filter((e) => wanted.test(e.type))
    .map((e) => `${e.seq} ${e.timestamp} ${e.type} ${JSON.stringify(e.data)}`)
    .join('\n');
}

test(`cluster chaos: ${ROUNDS} rounds of node kills and broker freezes never run an instance twice (seed ${SEED})`, { timeout: 180_000 + ROUNDS * 60_000 }, async (t) => {
  t.diagnostic(`seed ${SEED} (replay with NESTOR_CHAOS_SEED=${SEED}), ${ROUNDS} rounds over ${NODE_COUNT} nodes`);
  const rng = mulberry32(SEED);
  const ids = Array.from({ length: NODE_COUNT }, (_, i) => `n${i + 1}`);
  const project = (run: string): string => `services:
  web:
${idleService(run, '    replicas: 3\n    placement: any')}
  worker:
${idleService(run, '    replicas: 2\n    placement: { nodes: [n1, n2, n3] }')}
  solo:
${idleService(run, '    placement: any')}
`;
  const cluster = await startCluster(t, { nodes: ids.map((id) => ({ id })), project, upTimeoutMs: 180_000 + ROUNDS * 60_000 });
  const frozen = new Set<number>();
  t.after(() => {
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
  });
  const everyReadyOnce = async (from: TestNode): Promise<true | undefined> => {
    const m = await statusOf(from);
    return NAMES.every((n) => m.get(n)?.state === 'ready' && cluster.processes().get(n)?.length === 1) ? true : undefined;
  };
  await eventually('every instance ready once', () => everyReadyOnce(cluster.node('n1')), 120_000);

  const sampler = watch(cluster);
  const t0 = Date.now();
  let kills = 0;
  let freezes = 0;
  const log: string[] = [];
  let failure: unknown = null;
  let overlaps: string[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const victim = cluster.node(ids[between(rng, 0, ids.length - 1)] as string);
      const survivor = cluster.nodes.find((n) => n.id !== victim.id) as TestNode;
      const kill = rng() < 0.5;
      // Freezes run from 1 s (shorter than the fence) to 4 s past the lease's expiry: some stall
      // without consequence, some make the node fence, some let survivors take its instances.
      const freezeMs = between(rng, 1_000, LEASE_TTL_MS + 4_000);
      const waitMs = between(rng, 2_000, 6_000);
      const natsPid = await victim.natsPid();
      log.push(`round ${round} at ${Date.now() - t0} ms: ${kill ? 'kill' : `freeze ${freezeMs} ms`} ${victim.id}, then wait ${waitMs} ms`);
      if (kill) {
        kills++;
        process.kill(victim.upPid(), 'SIGKILL');
        process.kill(natsPid, 'SIGKILL');
        await sleep(waitMs);
        await cluster.restart(victim.id);
      } else {
        freezes++;
        process.kill(natsPid, 'SIGSTOP');
        frozen.add(natsPid);
        await sleep(freezeMs);
        process.kill(natsPid, 'SIGCONT');
        frozen.delete(natsPid);
        await sleep(waitMs);
      }
      // Only one node away at a time: the next round starts once every node is alive again.
      await eventually(`all ${ids.length} nodes alive after round ${round}`, () => allAlive(survivor, ids.length), 90_000, 500);
    }
    const settled = Date.now();
    await eventually('every movable instance ready and running exactly once', () => everyReadyOnce(cluster.node('n1')), 120_000, 500);
    log.push(`settled ${Date.now() - settled} ms after the last round`);
    await sleep(2_000);
  } catch (err) {
    failure = err;
  } finally {
    const report = await sampler.stop();
    overlaps = report.overlaps;
    for (const line of log) t.diagnostic(line);
    t.diagnostic(
      `summary: seed ${SEED}, ${ROUNDS} rounds (${kills} kills, ${freezes} freezes) over ${Math.round((Date.now() - t0) / 1000)} s; ${report.samples} samples; ${report.overlaps.length} overlapping samples; longest time without a process: ${report.longestGap.ms} ms (${report.longestGap.instance || '-'})`,
    );
    if (failure !== null || report.overlaps.length > 0) {
      if (failure !== null) t.diagnostic(`failed: ${String(failure)}`);
      t.diagnostic(`last status: ${await lastStatus(cluster)}`);
      for (const o of report.overlaps.slice(0, 20)) t.diagnostic(`overlap ${o}`);
      // Every event goes to a file that outlives the test's folders; the tail goes to the report.
      const events = await eventExcerptFromAny(cluster);
      const file = join(tmpdir(), `nestor-chaos-${SEED}-${Date.now()}.events.txt`);
      await writeFile(file, events);
      t.diagnostic(`events (all in ${file}), last 60:\n${events.split('\n').slice(-60).join('\n')}`);
    }
  }
  assert.deepEqual(overlaps, [], `no instance ever ran twice (seed ${SEED})`);
  if (failure !== null) throw failure;
});

async function lastStatus(cluster: TestCluster): Promise<string> {
  const procs = cluster.processes();
  for (const node of cluster.nodes) {
    const m = await statusOf(node).catch(() => null);
    if (m === null) continue;
    return NAMES.map((n) => `${n} ${m.get(n)?.state ?? '?'}@${m.get(n)?.node ?? '?'} procs ${(procs.get(n) ?? []).map((p) => `${p.pid}@${p.node}`).join('+') || 'none'}`).join('; ');
  }
  return '(status unavailable)';
}

async function eventExcerptFromAny(cluster: TestCluster): Promise<string> {
  for (const node of cluster.nodes) {
    const text = await eventExcerpt(node);
    if (text !== '(events unavailable)') return text;
  }
  return '(events unavailable)';
}
