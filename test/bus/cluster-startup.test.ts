// Nodes of a cluster started one after another: the first waits for a majority without a
// deadline, says what it waits for, can be called off while it waits, and completes its
// startup once a peer comes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { connectBus, serverPaths } from '../../src/bus/index.ts';
import type { Bus } from '../../src/bus/index.ts';
import { isProcessAlive } from '../../src/process/index.ts';
import { allocateRoutePort } from '../cluster/route-port.ts';
import { testConfig } from './helpers.ts';

type Ports = [number, number, number];

// Three members whose cluster ports are known up front; `own` is this node's index.
// Two copies of the stream: with three configured members the default would be three, and a
// majority of two servers could not hold them (that case has its own test below).
async function memberConfig(t: Parameters<typeof testConfig>[0], ports: Ports, own: number, name: string, replicas = 2) {
  const routes = ports.filter((_, i) => i !== own).map((p) => `nats://127.0.0.1:${p}`);
  return {
    routes,
    config: await testConfig(t, { node: name, nats: { cluster: { name: 'nestor-wait', port: ports[own], routes } }, events: { replicas } }, name),
  };
}

// Resolves with the first line that matches; the lines keep coming into `lines`.
function lineCollector(): { lines: string[]; onWaiting(line: string): void; next(match: RegExp): Promise<string> } {
  const lines: string[] = [];
  const waiters: { match: RegExp; resolve(line: string): void }[] = [];
  return {
    lines,
    onWaiting(line) {
      lines.push(line);
      for (const w of waiters.filter((x) => x.match.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    },
    next(match) {
      const found = lines.find((l) => match.test(l));
      return found === undefined ? new Promise((resolve) => waiters.push({ match, resolve })) : Promise.resolve(found);
    },
  };
}

async function serverPid(dataDir: string): Promise<number> {
  return Number((await readFile(serverPaths(dataDir).pidFile, 'utf8')).trim());
}

test('a node waits for its cluster, reports what it sees, and completes once a second member makes the majority', async (t) => {
  const ports = [await allocateRoutePort(), await allocateRoutePort(), await allocateRoutePort()] as Ports;
  const a = await memberConfig(t, ports, 0, 'wait-a');
  const b = await memberConfig(t, ports, 1, 'wait-b');
  const heard = lineCollector();
  const stop = new AbortController();
  t.after(() => stop.abort());
  const first = connectBus(a.config, { onWaiting: heard.onWaiting, signal: stop.signal });
  t.after(async () => (await first.catch(() => null))?.close());

  const line = await heard.next(/^waiting for the cluster:/);
  assert.equal(line, `waiting for the cluster: 1 of 3 servers seen, JetStream needs 2; dialling ${a.routes.join(', ')}`);

  const second = connectBus(b.config);
  t.after(async () => (await second.catch(() => null))?.close());
  const [busA, busB] = (await Promise.all([first, second])) as [Bus, Bus];
  assert.equal(await busA.lastSeq(), await busB.lastSeq());
  const routes = (await (await fetch(`${busA.monitorUrl}/routez`)).json()) as { num_routes: number };
  assert.equal(routes.num_routes, 1);
});

test('a node waiting for its cluster stops its server when the startup is called off', async (t) => {
  const ports = [await allocateRoutePort(), await allocateRoutePort(), await allocateRoutePort()] as Ports;
  const a = await memberConfig(t, ports, 0, 'wait-off');
  const heard = lineCollector();
  const stop = new AbortController();
  const starting = connectBus(a.config, { onWaiting: heard.onWaiting, signal: stop.signal });
  t.after(async () => (await starting.catch(() => null))?.close());
  await heard.next(/1 of 3 servers seen/);
  const pid = await serverPid(a.config.dataDir);
  assert.equal(await isProcessAlive(pid), true);

  const reason = new Error('called off by the test');
  stop.abort(reason);
  await assert.rejects(starting, (err) => err === reason);
  assert.equal(await isProcessAlive(pid), false, `nats-server ${pid} is gone`);
});

test('a cluster with a majority but too few servers for the stream replicas waits and says so', async (t) => {
  const ports = [await allocateRoutePort(), await allocateRoutePort(), await allocateRoutePort()] as Ports;
  const members = [await memberConfig(t, ports, 0, 'rep-a'), await memberConfig(t, ports, 1, 'rep-b')];
  const stop = new AbortController();
  t.after(() => stop.abort());
  const heard = lineCollector();
  const configs = members.map((m) => ({ ...m.config, events: { ...m.config.events, replicas: 3 } }));
  const started = configs.map((c, i) => connectBus(c, { signal: stop.signal, ...(i === 0 ? { onWaiting: heard.onWaiting } : {}) }));
  const outcomes = Promise.allSettled(started);
  t.after(async () => {
    for (const o of await outcomes) if (o.status === 'fulfilled') await o.value.close();
  });

  const line = await heard.next(/2 of 3 servers seen/);
  assert.match(line, /^waiting for the cluster: 2 of 3 servers seen, the event stream needs 3; dialling /);
  stop.abort(new Error('enough'));
  assert.deepEqual((await outcomes).map((o) => o.status), ['rejected', 'rejected']);
});
