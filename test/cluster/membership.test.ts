import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bus } from '../../src/bus/index.ts';
import { LEASE_BUCKET } from '../../src/bus/index.ts';
import { Membership, NodeIdInUseError } from '../../src/cluster/index.ts';
import type { MembershipHooks, MemberView } from '../../src/cluster/index.ts';
import type { After } from '../bus/helpers.ts';
import { clusterBus, metaLeader, startNatsCluster } from './nats-cluster.ts';
import type { ClusterServer, NatsCluster } from './nats-cluster.ts';

const TIMINGS = { heartbeatMs: 200, ttlMs: 1_000, fenceAfterMs: 600 };

/** One hook call, stamped on the test process's monotonic clock (the memberships' clock too). */
interface Call {
  at: number;
  member: string;
  hook: string;
  args: unknown[];
}

function recorder(calls: Call[], member: string): MembershipHooks {
  const rec =
    (hook: string) =>
    (...args: unknown[]): void => {
      calls.push({ at: performance.now(), member, hook, args });
    };
  return { onNodeDown: rec('onNodeDown'), onFence: rec('onFence'), onRecovered: rec('onRecovered'), onFenced: rec('onFenced'), onRejoined: rec('onRejoined') };
}

async function member(t: After, bus: Bus, node: string, calls: Call[], tags: string[] = [], timings = TIMINGS): Promise<Membership> {
  const m = await Membership.start({ bus, node, tags, address: `${node}.test:7000`, api: `http://${node}.test:7000`, ...timings, hooks: recorder(calls, node) });
  t.after(() => m.stop({ silent: true }));
  return m;
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * A server that leads neither the lease stream nor the meta group, and the other servers' URLs:
 * freezing it cuts off the nodes connected to it alone, while the others can still write.
 */
async function quietServer(t: After, cluster: NatsCluster): Promise<{ victimServer: ClusterServer; others: string[] }> {
  const setup = await clusterBus(t, [cluster.urls[0]!], 'setup');
  await setup.leases();
  const streamLeader = (await setup.jsm.streams.info(`KV_${LEASE_BUCKET}`)).cluster?.leader;
  const meta = await metaLeader(cluster.servers[0]!.monitorUrl);
  const victimServer = cluster.servers.find((s) => s.name !== streamLeader && s.name !== meta);
  assert.ok(victimServer !== undefined, `leaders: stream ${streamLeader}, meta ${meta}`);
  return { victimServer, others: cluster.urls.filter((u) => u !== victimServer.url) };
}

const stateOf = (m: Membership, id: string): MemberView['state'] | undefined => m.nodes().find((n) => n.id === id)?.state;

test('three memberships on three servers see each other alive with their tags', async (t) => {
  const cluster = await startNatsCluster(t);
  const calls: Call[] = [];
  const names = ['alpha', 'beta', 'gamma'];
  const members = [];
  for (const [i, name] of names.entries()) {
    members.push(await member(t, await clusterBus(t, [cluster.urls[i]!], name), name, calls, [`zone-${i}`, 'gpu']));
  }
  const changes: MemberView[][] = [];
  const watcher = await Membership.start({
    bus: await clusterBus(t, [cluster.urls[0]!], 'watcher'),
    node: 'watcher',
    address: 'watcher.test:7000',
    api: 'http://watcher.test:7000',
    ...TIMINGS,
    hooks: { onChange: (nodes) => changes.push(nodes) },
  });
  t.after(() => watcher.stop({ silent: true }));
  for (const m of members) {
    await waitFor('everyone alive', () => names.every((n) => stateOf(m, n) === 'alive'));
    assert.deepEqual(
      m.nodes()
        .filter((n) => n.id !== 'watcher')
        .map((n) => ({ id: n.id, tags: n.tags, api: n.api })),
      names.map((n, i) => ({ id: n, tags: [`zone-${i}`, 'gpu'], api: `http://${n}.test:7000` })),
    );
  }
  await waitFor('onChange reporting everyone alive', () =>
    changes.some((nodes) => [...names, 'watcher'].every((n) => nodes.some((x) => x.id === n && x.state === 'alive'))),
  );
  assert.deepEqual(calls, []);
});

test('a second membership with the same node id refuses to start and names the first, and takes over once it crashed', async (t) => {
  const cluster = await startNatsCluster(t);
  const calls: Call[] = [];
  const first = await member(t, await clusterBus(t, [cluster.urls[0]!], 'first'), 'twin', calls);
  const secondBus = await clusterBus(t, [cluster.urls[1]!], 'second');
  await assert.rejects(member(t, secondBus, 'twin', calls), (err: unknown) => {
    assert.ok(err instanceof NodeIdInUseError, String(err));
    assert.equal(err.pid, process.pid);
    assert.match(err.message, /^node id twin is already in use by pid \d+ on host \S+ \(lease renewed \d+\.\d s ago\)$/);
    return true;
  });

  // Once the first has crashed, a start waits for its lease to expire and takes it over.
  await first.stop({ silent: true });
  const second = await member(t, secondBus, 'twin', calls);
  assert.notEqual(second.incarnation, first.incarnation);
  await waitFor('the new holder alive', () => second.nodes().some((n) => n.id === 'twin' && n.state === 'alive' && n.incarnation === second.incarnation));
  assert.deepEqual(calls, []);
});

test('a node that stops renewing is declared down by exactly one survivor, not before its ttl', async (t) => {
  const cluster = await startNatsCluster(t);
  const calls: Call[] = [];
  const names = ['alpha', 'beta', 'gamma'];
  // Started together: three buses creating the same buckets at once, as nodes booting together do.
  const [a, b, c] = await Promise.all(names.map(async (n, i) => member(t, await clusterBus(t, [cluster.urls[i]!], n), n, calls)));
  await waitFor('everyone alive', () => [a!, b!].every((m) => names.every((n) => stateOf(m, n) === 'alive')));

  await c!.stop({ silent: true });
  const stoppedAt = performance.now();
  await waitFor('a declaration', () => calls.some((x) => x.hook === 'onNodeDown'));
  // Room for a second declaration, should the compare-and-set let one through.
  await sleep(5 * TIMINGS.heartbeatMs);
  const downs = calls.filter((x) => x.hook === 'onNodeDown');
  assert.equal(downs.length, 1, JSON.stringify(calls));
  const [down] = downs;
  assert.equal(down!.args[0], 'gamma');
  assert.match((down!.args[1] as { reason: string }).reason, /^lease expired: last heartbeat \d+\.\d s ago \(server time\)$/);
  // Its last renewal was sent at most a heartbeat before the stop; a ttl (server time) follows.
  assert.ok(down!.at - stoppedAt >= TIMINGS.ttlMs - 2 * TIMINGS.heartbeatMs, `declared ${Math.round(down!.at - stoppedAt)} ms after the stop`);
  t.diagnostic(`declared down ${Math.round(down!.at - stoppedAt)} ms after the stop (ttl ${TIMINGS.ttlMs} ms)`);
  await waitFor('both see it down', () => [a!, b!].every((m) => stateOf(m, 'gamma') === 'down'));
});

test('a node cut off by a frozen server fences before it is declared down, then rejoins as a new incarnation', async (t) => {
  const cluster = await startNatsCluster(t);
  const calls: Call[] = [];
  const { victimServer, others } = await quietServer(t, cluster);
  const a = await member(t, await clusterBus(t, others, 'alpha'), 'alpha', calls);
  const b = await member(t, await clusterBus(t, others.toReversed(), 'beta'), 'beta', calls);
  const v = await member(t, await clusterBus(t, [victimServer.url], 'victim'), 'victim', calls);
  const firstIncarnation = v.incarnation;
  await waitFor('everyone alive', () => [a, b].every((m) => ['alpha', 'beta', 'victim'].every((n) => stateOf(m, n) === 'alive')));

  victimServer.freeze();
  try {
    await waitFor('a survivor declaring the victim down', () => calls.some((x) => x.hook === 'onNodeDown'));
  } finally {
    victimServer.thaw();
  }
  await waitFor('the victim rejoining', () => calls.some((x) => x.hook === 'onRejoined'), 30_000);
  const first = (hook: string): Call | undefined => calls.find((x) => x.hook === hook);
  const order = ['onFence', 'onNodeDown', 'onFenced', 'onRejoined'].map((h) => first(h));
  assert.deepEqual(
    order.map((x) => x && [x.member, x.hook]),
    [['victim', 'onFence'], [calls.find((x) => x.hook === 'onNodeDown')!.member, 'onNodeDown'], ['victim', 'onFenced'], ['victim', 'onRejoined']],
    JSON.stringify(calls),
  );
  for (let i = 1; i < order.length; i++) assert.ok(order[i - 1]!.at < order[i]!.at, JSON.stringify(calls));
  t.diagnostic(order.map((x) => `${x!.hook} ${Math.round(x!.at - order[0]!.at)} ms`).join(', '));
  assert.deepEqual(calls.filter((x) => x.hook === 'onNodeDown').map((x) => x.args[0]), ['victim']);
  assert.match(String(first('onFenced')!.args[0]), /^declared down by (alpha|beta)$/);
  assert.notEqual(v.incarnation, firstIncarnation);
  await waitFor('the survivors seeing the new incarnation alive', () =>
    [a, b].every((m) => m.nodes().some((n) => n.id === 'victim' && n.state === 'alive' && n.incarnation === v.incarnation)),
  );
});

test('a node whose server freezes for less than the ttl fences, then recovers once its renewals get through', async (t) => {
  const cluster = await startNatsCluster(t);
  const calls: Call[] = [];
  // A long ttl leaves room between fencing (0.6 s) and expiry (3 s) for the thaw to land.
  const timings = { ...TIMINGS, ttlMs: 3_000 };
  const { victimServer, others } = await quietServer(t, cluster);
  const a = await member(t, await clusterBus(t, others, 'alpha'), 'alpha', calls, [], timings);
  await member(t, await clusterBus(t, [victimServer.url], 'victim'), 'victim', calls, [], timings);
  await waitFor('the victim alive', () => stateOf(a, 'victim') === 'alive');

  victimServer.freeze();
  try {
    await waitFor('the victim fencing', () => calls.some((x) => x.hook === 'onFence'));
  } finally {
    victimServer.thaw();
  }
  await waitFor('the victim recovering', () => calls.some((x) => x.hook === 'onRecovered'));
  assert.deepEqual(
    calls.map((x) => [x.member, x.hook]),
    [
      ['victim', 'onFence'],
      ['victim', 'onRecovered'],
    ],
  );
  assert.match(String(calls[0]!.args[0]), /^no lease renewal for 600 ms \(last successful renewal sent \d+\.\d s ago\)$/);
});

test('a node that leaves shows as left and is never declared down', async (t) => {
  const cluster = await startNatsCluster(t);
  const calls: Call[] = [];
  const names = ['alpha', 'beta', 'gamma'];
  const members: Membership[] = [];
  for (const [i, n] of names.entries()) members.push(await member(t, await clusterBus(t, [cluster.urls[i]!], n), n, calls));
  const [a, b, c] = members;
  await waitFor('everyone alive', () => [a!, b!].every((m) => names.every((n) => stateOf(m, n) === 'alive')));
  await c!.leave();
  await waitFor('both see it left', () => [a!, b!].every((m) => stateOf(m, 'gamma') === 'left'));
  await sleep(TIMINGS.ttlMs + 3 * TIMINGS.heartbeatMs);
  assert.deepEqual([stateOf(a!, 'gamma'), stateOf(b!, 'gamma')], ['left', 'left']);
  assert.deepEqual(calls, []);
});
