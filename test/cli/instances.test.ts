// A service with two instances on one node (no placement: both run locally): status shows both,
// commands reach one instance by name or every instance by the service id, unknown names exit 2,
// `nestor nodes` lists the node with its instances, and a silent owner node is named.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createEventFactory } from '../../src/bus/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import type { NodeRow, StatusEntry } from '../../src/views/index.ts';
import { samplePayloads } from '../events/samples.ts';
import { demo } from '../supervision/support.ts';
import { STACK_TRACE } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await createHarness({ name: 'cli-instances', specs: { web: demo('alpha', { spec: { replicas: 2 } }) } });
  await h.waitForState('web', 'ready', { timeoutMs: 30_000 });
  await h.waitForState('web@2', 'ready', { timeoutMs: 30_000 });
});
after(() => h.close());

const pidOf = (id: string): number | null => h.service(id).pid;

test('status --json has one row for web with both instances, each with its own pid', async () => {
  const res = await h.cli(['status', '--json']);
  assert.equal(res.code, 0, res.stderr);
  const [web] = res.json<{ services: StatusEntry[] }>().services;
  assert.equal(web?.id, 'web');
  assert.equal(web?.state, 'ready');
  assert.deepEqual(web?.instances.map((i) => [i.id, i.node, i.state]), [
    ['web@1', h.config.node, 'ready'],
    ['web@2', h.config.node, 'ready'],
  ]);
  const [one, two] = web?.instances ?? [];
  assert.equal(one?.pid, pidOf('web'));
  assert.equal(two?.pid, pidOf('web@2'));
  assert.notEqual(one?.pid, two?.pid);

  const text = await h.cli(['status']);
  assert.match(text.stdout, /^SERVICE\s+STATE\s+PID\s+PORTS\s+RESTARTS\s+UPTIME\s+HEALTH\s+NODE$/m);
  assert.match(text.stdout, new RegExp(`^ {2}web@2\\s+ready\\s+${pidOf('web@2')}\\s.*\\s${h.config.node}$`, 'm'));

  const alone = await h.cli(['status', 'web@2', '--json']);
  assert.equal(alone.code, 0, alone.stderr);
  assert.deepEqual(alone.json<{ services: StatusEntry[] }>().services.map((s) => [s.id, s.pid]), [['web@2', pidOf('web@2')]]);
});

test('restart web@2 restarts only that instance', async () => {
  const [p1, p2] = [pidOf('web'), pidOf('web@2')];
  const res = await h.cli(['restart', 'web@2', '--json']);
  assert.equal(res.code, 0, res.stderr);
  const status = res.json<{ status: StatusEntry }>().status;
  assert.equal(status.id, 'web@2');
  assert.equal(status.state, 'ready');
  assert.notEqual(pidOf('web@2'), p2);
  assert.equal(status.pid, pidOf('web@2'));
  assert.equal(pidOf('web'), p1, 'web@1 keeps its process');
});

test('restart web restarts every instance', async () => {
  const [p1, p2] = [pidOf('web'), pidOf('web@2')];
  const res = await h.cli(['restart', 'web']);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(h.service('web').state, 'ready');
  assert.equal(h.service('web@2').state, 'ready');
  assert.notEqual(pidOf('web'), p1);
  assert.notEqual(pidOf('web@2'), p2);
});

test('an unknown instance is a usage error naming the instances that exist', async () => {
  const res = await h.cli(['stop', 'web@9']);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /unknown instance "web@9"; web has web@1, web@2/);
  assert.doesNotMatch(res.stderr, STACK_TRACE);
  const status = await h.cli(['status', 'web@9']);
  assert.equal(status.code, 2);
});

test('nodes --json lists this node alive with its instances', async () => {
  const res = await h.cli(['nodes', '--json']);
  assert.equal(res.code, 0, res.stderr);
  const { nodes } = res.json<{ nodes: NodeRow[] }>();
  const me = nodes.find((n) => n.id === h.config.node);
  assert.equal(me?.state, 'alive');
  assert.deepEqual(me?.instances, ['web@1', 'web@2']);
  assert.deepEqual(Object.keys(me ?? {}).filter((k) => ['id', 'state', 'tags', 'lastSeen', 'instances'].includes(k)).sort(), ['id', 'instances', 'lastSeen', 'state', 'tags']);

  const text = await h.cli(['nodes']);
  assert.match(text.stdout, /^NODE\s+STATE\s+TAGS\s+LAST SEEN\s+INSTANCES$/m);

  const unknown = await h.cli(['drain', 'nowhere']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown node "nowhere"; known: /);
});

test("a command for an instance of a silent node names that node and what its events said", async () => {
  // No node.up from far: a CLI found through NESTOR_URL takes the last node that announced itself as its own.
  const far = createEventFactory({ node: 'far', component: 'test' });
  await h.bus.publish(far('orchestrator.service.register', { ...samplePayloads['orchestrator.service.register'], service: 'remote', spec: { process: { command: 'x' } } }));
  await h.waitUntil('remote registered on far', (s) => s.services.remote?.node === 'far');

  const silent = await h.cli(['stop', 'remote']);
  assert.equal(silent.code, 1);
  assert.match(silent.stderr, /remote@1 runs on node far, which does not answer \(it never announced itself on this bus\)/);
  const api = await fetch(`${h.node.api.url}/api/v1/services/remote/stop`, { method: 'POST' });
  assert.equal(api.status, 503);
  assert.match(((await api.json()) as { message: string }).message, /remote@1 runs on node far, which does not answer/);

  await h.bus.publish(far('orchestrator.node.down', { node: 'far', reason: 'shutdown' }));
  await h.waitUntil('far down', (s) => s.nodes.far?.status === 'down');
  const down = await h.cli(['restart', 'remote']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /remote@1 runs on node far, which does not answer \(down since \S+/);
  const drain = await h.cli(['drain', 'far']);
  assert.equal(drain.code, 1);
  assert.match(drain.stderr, /drain far: node far does not answer \(down since /);
});
