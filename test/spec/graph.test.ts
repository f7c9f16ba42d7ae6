// Dependency order, cycles, selection by profile/--only/--disable, and graph rendering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dependenciesOf,
  dependents,
  findCycle,
  renderGraph,
  selectServices,
  SpecError,
  startOrder,
  stopOrder,
  validateProject,
} from '../../src/spec/index.ts';
import type { Project } from '../../src/spec/index.ts';

const g = (deps: Record<string, string[]>): Record<string, { dependencies: { id: string }[] }> =>
  Object.fromEntries(Object.entries(deps).map(([id, ds]) => [id, { dependencies: ds.map((d) => ({ id: d })) }]));

function project(services: Record<string, Record<string, unknown>>): Project {
  const withProcess = Object.fromEntries(Object.entries(services).map(([id, s]) => [id, { process: { command: id }, ...s }]));
  const result = validateProject({ services: withProcess });
  if (!result.ok) assert.fail(JSON.stringify(result.errors));
  return result.project;
}

test('startOrder layers a diamond; stopOrder reverses it', () => {
  const diamond = g({ api: ['cache', 'db'], cache: ['bus'], db: ['bus'], bus: [], web: ['api'], tool: [] });
  assert.deepEqual(startOrder(diamond), [['bus', 'tool'], ['cache', 'db'], ['api'], ['web']]);
  assert.deepEqual(stopOrder(diamond), [['web'], ['api'], ['cache', 'db'], ['bus', 'tool']]);
});

test('edges to services outside the set are ignored (a selection orders on its own)', () => {
  assert.deepEqual(startOrder(g({ api: ['db', 'elsewhere'], db: [] })), [['db'], ['api']]);
  assert.deepEqual(startOrder(g({ api: ['db'] })), [['api']]);
  assert.deepEqual(startOrder({}), []);
});

test('ids named like Object.prototype members are only found when they exist', () => {
  assert.deepEqual(dependenciesOf(g({ api: ['constructor', 'toString'] }), 'api'), []);
  assert.deepEqual(dependents(g({ api: ['constructor'] }), 'constructor'), []);
  assert.deepEqual(startOrder(g({ api: ['constructor'], constructor: [] })), [['constructor'], ['api']]);
  const selection = selectServices(project({ api: {} }), { only: ['constructor'], disable: ['toString'] });
  assert.equal(selection.ok, false);
});

test('dependents and dependenciesOf, direct and transitive', () => {
  const graph = g({ api: ['cache', 'db'], cache: ['bus'], db: ['bus'], bus: [], web: ['api'] });
  assert.deepEqual(dependents(graph, 'bus'), ['cache', 'db']);
  assert.deepEqual(dependents(graph, 'bus', { transitive: true }), ['api', 'cache', 'db', 'web']);
  assert.deepEqual(dependents(graph, 'web'), []);
  assert.deepEqual(dependenciesOf(graph, 'web'), ['api']);
  assert.deepEqual(dependenciesOf(graph, 'web', { transitive: true }), ['api', 'bus', 'cache', 'db']);
});

test('findCycle returns a closed path, or null; startOrder refuses a cycle with a SpecError', () => {
  assert.equal(findCycle(g({ a: ['b'], b: [] })), null);
  assert.deepEqual(findCycle(g({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] })), ['a', 'b', 'c', 'a']);
  assert.deepEqual(findCycle(g({ a: ['a'] })), ['a', 'a']);
  // The shortest way back to the start is reported, not an arbitrary walk.
  assert.deepEqual(findCycle(g({ a: ['b', 'c'], b: ['c'], c: ['a'] })), ['a', 'c', 'a']);
  assert.throws(
    () => startOrder(g({ x: ['y'], y: ['x'] })),
    (err: unknown) => err instanceof SpecError && err.message === 'services.x.dependencies: expected no dependency cycle, got x -> y -> x',
  );
});

const stack = (): Project =>
  project({
    bus: { required: true },
    db: {},
    cache: { profiles: ['default', 'demo'] },
    worker: { profiles: ['jobs'] },
    docs: { profiles: ['demo'] },
  });

test('profiles: no profiles = every profile; default also takes services listing "default"', () => {
  assert.deepEqual(selectServices(stack()), { ok: true, enabled: ['bus', 'cache', 'db'], disabled: ['docs', 'worker'] });
  assert.deepEqual(selectServices(stack(), { profile: 'demo' }), {
    ok: true,
    enabled: ['bus', 'cache', 'db', 'docs'],
    disabled: ['worker'],
  });
  assert.deepEqual(selectServices(stack(), { profile: 'jobs' }), {
    ok: true,
    enabled: ['bus', 'db', 'worker'],
    disabled: ['cache', 'docs'],
  });
});

test('--only enables exactly those ids (no dependencies added); --disable leaves ids out', () => {
  assert.deepEqual(selectServices(stack(), { only: ['worker'] }), {
    ok: true,
    enabled: ['worker'],
    disabled: ['bus', 'cache', 'db', 'docs'],
  });
  assert.deepEqual(selectServices(stack(), { disable: ['db', 'cache'] }), {
    ok: true,
    enabled: ['bus'],
    disabled: ['cache', 'db', 'docs', 'worker'],
  });
  assert.deepEqual(selectServices(stack(), { only: ['db', 'docs'], disable: ['docs'] }), {
    ok: true,
    enabled: ['db'],
    disabled: ['bus', 'cache', 'docs', 'worker'],
  });
});

test('selection reports unknown ids, unknown profiles and disabling a required service, all at once', () => {
  assert.deepEqual(selectServices(stack(), { profile: 'dmeo', only: ['dbb'], disable: ['bus', 'zzz'] }), {
    ok: false,
    errors: [
      { path: 'only[0]', expected: 'a service of this project (did you mean "db"?)', got: '"dbb"' },
      { path: 'disable[0]', expected: 'a service that is not required', got: '"bus"' },
      { path: 'disable[1]', expected: 'a service of this project', got: '"zzz"' },
      { path: 'profile', expected: 'a profile some service lists (default, demo, jobs)', got: '"dmeo"' },
    ],
  });
});

const small = (): Project =>
  project({
    bus: { displayName: 'Bus' },
    migrate: { kind: 'oneshot', dependencies: ['bus'] },
    api: { dependencies: [{ id: 'migrate', condition: 'completed' }, 'bus'] },
  });

test('renderGraph text', () => {
  assert.equal(
    renderGraph(small(), 'text', { enabled: ['bus', 'api'] }),
    ['1. bus', '2. migrate  needs bus (ready)  [oneshot, disabled]', '3. api      needs migrate (completed), bus (ready)', ''].join('\n'),
  );
});

test('renderGraph dot', () => {
  assert.equal(
    renderGraph(small(), 'dot'),
    [
      'digraph nestor {',
      '  rankdir=BT;',
      '  node [shape=box];',
      '  "bus" [label="Bus"];',
      '  "migrate" [label="migrate", shape=ellipse];',
      '  "api" [label="api"];',
      '  "migrate" -> "bus" [label="ready"];',
      '  "api" -> "migrate" [label="completed"];',
      '  "api" -> "bus" [label="ready"];',
      '}',
      '',
    ].join('\n'),
  );
});

test('renderGraph mermaid', () => {
  assert.equal(
    renderGraph(small(), 'mermaid', { enabled: ['bus', 'api'] }),
    [
      'graph BT',
      '  s0["Bus"]',
      '  s1(["migrate"]):::disabled',
      '  s2["api"]',
      '  s1 -->|ready| s0',
      '  s2 -->|completed| s1',
      '  s2 -->|ready| s0',
      '  classDef disabled stroke-dasharray: 5 5;',
      '',
    ].join('\n'),
  );
});
