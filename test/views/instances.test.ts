// Services with several instances, as every view groups them, and the nodes view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reduceAll } from '../../src/state/index.ts';
import type { State } from '../../src/state/index.ts';
import { resolveTarget, selectNodes, selectService, selectServiceRows, selectStatusJson, shutdownOrder, summaryState } from '../../src/views/index.ts';
import type { MemberRow } from '../../src/views/index.ts';
import { sampleEvent, stored } from '../events/samples.ts';

const T0 = Date.parse('2025-03-14T09:26:53.000Z');

// web has two instances on n1 (web@1 ready, web@2 starting); api is a single instance on n1.
function stack(): State {
  return reduceAll(
    stored([
      sampleEvent('orchestrator.node.up'),
      sampleEvent('orchestrator.service.register', { service: 'web', spec: { replicas: 2 } as never }, 0),
      sampleEvent('orchestrator.service.register', {}, 0),
      sampleEvent('orchestrator.service.start', { service: 'web', pid: 7001, ports: { http: 8001 } }, 1000),
      sampleEvent('orchestrator.service.ready', { service: 'web', pid: 7001, ports: { http: 8001 } }, 1500),
      sampleEvent('orchestrator.service.start', { service: 'web', instance: 2, pid: 7002, ports: { http: 8002 } } as never, 1000),
      sampleEvent('orchestrator.service.start', {}, 1000),
      sampleEvent('orchestrator.service.ready', {}, 1500),
    ]),
  );
}

test('the summary state is ready only when every instance is; a failed one wins', () => {
  assert.equal(summaryState(['ready', 'ready']), 'ready');
  assert.equal(summaryState(['ready', 'running']), 'running');
  assert.equal(summaryState(['ready', 'failed', 'starting']), 'failed');
  assert.equal(summaryState(['completed', 'ready']), 'completed');
  assert.equal(summaryState(['stopped']), 'stopped');
});

test('status JSON has one entry per service with its instances', () => {
  const doc = selectStatusJson(stack());
  assert.deepEqual(
    doc.services.map((s) => [s.id, s.state, s.pid, s.node]),
    [
      ['api', 'ready', 4242, 'n1'],
      ['web', 'running', 7001, 'n1'],
    ],
  );
  const web = doc.services.find((s) => s.id === 'web');
  assert.deepEqual(web?.instances, [
    { id: 'web@1', node: 'n1', state: 'ready', pid: 7001, ports: { http: 8001 }, restarts: 0 },
    { id: 'web@2', node: 'n1', state: 'running', pid: 7002, ports: { http: 8002 }, restarts: 0 },
  ]);
  assert.equal(web?.settled, false, 'settled only when every instance is');
  assert.deepEqual(doc.services.find((s) => s.id === 'api')?.instances.map((i) => i.id), ['api@1']);
});

test('table rows list the instances of a replicated service under it', () => {
  const rows = selectServiceRows(stack(), new Date(T0 + 60_000));
  assert.deepEqual(
    rows.map((r) => [r.id, r.instance, r.state, r.node, r.instanceCount]),
    [
      ['api', null, 'ready', 'n1', 1],
      ['web', null, 'running', 'n1', 2],
      ['web@1', 1, 'ready', 'n1', 2],
      ['web@2', 2, 'running', 'n1', 2],
    ],
  );
  assert.equal(selectService(stack(), 'web@2')?.pid, 7002);
  assert.equal(selectService(stack(), 'web@1')?.pid, 7001);
  assert.equal(selectService(stack(), 'web@3'), null);
});

test('names resolve to one instance, every instance of a service, or a clear unknown', () => {
  const state = stack();
  assert.deepEqual(resolveTarget(state, 'web'), { kind: 'service', service: 'web', keys: ['web', 'web@2'] });
  assert.deepEqual(resolveTarget(state, 'web@1'), { kind: 'instance', service: 'web', key: 'web' });
  assert.deepEqual(resolveTarget(state, 'web@2'), { kind: 'instance', service: 'web', key: 'web@2' });
  assert.deepEqual(resolveTarget(state, 'web@9'), { kind: 'unknown-instance', service: 'web', known: ['web@1', 'web@2'] });
  assert.deepEqual(resolveTarget(state, 'nope'), { kind: 'unknown-service', known: ['api', 'web'] });
  assert.deepEqual(resolveTarget(state, 'bad name'), { kind: 'unknown-service', known: ['api', 'web'] });
});

test('nodes from events alone: alive or down, with the instances placed on them', () => {
  const state = reduceAll(
    stored([
      sampleEvent('orchestrator.node.up'),
      sampleEvent('orchestrator.node.up', { node: 'n2', tags: ['gpu'] } as never, 0, 'n2'),
      sampleEvent('orchestrator.service.register', { service: 'web', spec: { replicas: 2 } as never }, 0),
      sampleEvent('orchestrator.node.draining', { node: 'n2', draining: true }, 10, 'n2'),
      sampleEvent('orchestrator.node.up', { node: 'n3' } as never, 0, 'n3'),
      sampleEvent('orchestrator.node.down', { node: 'n3', reason: 'shutdown' }, 20, 'n3'),
    ]),
  );
  const rows = selectNodes(state, null);
  assert.deepEqual(
    rows.map((r) => [r.id, r.state, r.tags, r.lastSeen, r.instances]),
    [
      ['n1', 'alive', [], null, ['web@1', 'web@2']],
      ['n2', 'draining', ['gpu'], null, []],
      ['n3', 'down', [], null, []],
    ],
  );
});

test("the membership's judgement wins over the events, and names nodes the events never saw", () => {
  const members: MemberRow[] = [
    { id: 'n1', state: 'suspect', tags: ['edge'], address: '10.0.0.1', api: 'http://10.0.0.1:7000', lastSeenAt: T0 },
    { id: 'n9', state: 'alive', tags: [], address: '10.0.0.9', api: '', lastSeenAt: T0 + 1000 },
  ];
  const rows = selectNodes(stack(), members);
  assert.deepEqual(
    rows.map((r) => [r.id, r.state, r.tags, r.lastSeen, r.address, r.instances.length]),
    [
      ['n1', 'suspect', ['edge'], new Date(T0).toISOString(), '10.0.0.1', 3],
      ['n9', 'alive', [], new Date(T0 + 1000).toISOString(), '10.0.0.9', 0],
    ],
  );
});

test('down --all stops the nodes of dependents first and the given node last', () => {
  // api (on n2) needs db (on n1); web (on n3) needs api; n0 runs nothing.
  const state = reduceAll(
    stored([
      sampleEvent('orchestrator.service.register', { service: 'db', spec: { dependencies: [] } }, 0),
      sampleEvent('orchestrator.service.register', { service: 'api', spec: { dependencies: ['db'] } }, 0),
      sampleEvent('orchestrator.service.register', { service: 'web', spec: { dependencies: ['api'] } }, 0),
      sampleEvent('orchestrator.service.placed', { service: 'db', node: 'n1' }, 1),
      sampleEvent('orchestrator.service.placed', { service: 'api', node: 'n2' }, 1),
      sampleEvent('orchestrator.service.placed', { service: 'web', node: 'n3' }, 1),
    ]),
  );
  assert.deepEqual(shutdownOrder(state, ['n0', 'n1', 'n2', 'n3'], null), ['n0', 'n3', 'n2', 'n1']);
  assert.deepEqual(shutdownOrder(state, ['n0', 'n1', 'n2', 'n3'], 'n3'), ['n0', 'n2', 'n1', 'n3']);
  assert.deepEqual(shutdownOrder(state, ['n1'], 'n1'), ['n1']);
});
