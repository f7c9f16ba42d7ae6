// The difference `nestor apply` acts on: added, removed, changed (with field paths), unchanged,
// and the unchanged services a changed one's restart carries along.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffProject, isEmptyDiff, specFieldChanges } from '../../src/spec/index.ts';

const node = (args: string[] = []) => ({ command: 'node', args });

test('a project compared with what runs: added, removed, changed with paths, unchanged, in the order given', () => {
  const running = {
    db: { id: 'db', process: node(['db.js']) },
    web: { id: 'web', process: { ...node(['web.js']), env: { GREETING: 'hello' } }, dependencies: [{ id: 'db' }] },
    old: { id: 'old', process: node() },
  };
  const wanted = {
    db: { process: node(['db.js']) },
    web: { process: { ...node(['web.js', '--fast']), env: { GREETING: 'bonjour' } }, dependencies: [{ id: 'db' }] },
    extra: { process: node() },
  };
  const diff = diffProject(running, wanted, ['db', 'extra', 'web']);
  assert.deepEqual(diff, {
    added: ['extra'],
    removed: ['old'],
    changed: [{ service: 'web', fields: ['process.args', 'process.env.GREETING'] }],
    unchanged: ['db'],
    restartedFor: [],
  });
  assert.equal(isEmptyDiff(diff), false);
  assert.equal(isEmptyDiff(diffProject(running, running)), true);
});

test('field paths: keys added or dropped, nested keys, quoted keys, arrays compared whole; the id is ignored', () => {
  assert.deepEqual(specFieldChanges({ id: 'a', process: node() }, { id: 'b', process: node() }), []);
  assert.deepEqual(specFieldChanges({ process: node(), replicas: 2 }, { process: node(), kind: 'oneshot' }), ['kind', 'replicas']);
  assert.deepEqual(specFieldChanges({ ports: { 'http.v2': { port: 1 } } }, { ports: { 'http.v2': { port: 2 } } }), ['ports["http.v2"].port']);
  assert.deepEqual(specFieldChanges({ dependencies: [{ id: 'db' }] }, { dependencies: [{ id: 'db', condition: 'ready' }] }), ['dependencies']);
  assert.deepEqual(specFieldChanges({ process: { command: 'x', env: { A: '1' } } }, { process: { command: 'x', env: { A: '1' } } }), []);
});

test('an unchanged service that reads a changed one through a {services.<id>...} placeholder restarts after it', () => {
  const db = { process: node(['db.js']), ports: { primary: { protocol: 'tcp' } } };
  const web = { process: { ...node(['web.js']), env: { DB_PORT: '{services.db.ports.primary}' } }, dependencies: [{ id: 'db' }] };
  const plain = { process: node(['plain.js']), dependencies: [{ id: 'db' }] };
  const running = { db, web, plain };
  const diff = diffProject(running, { db: { ...db, process: node(['db.js', '--v2']) }, web, plain });
  assert.deepEqual(diff.changed.map((c) => c.service), ['db']);
  assert.deepEqual(diff.unchanged, ['web', 'plain']);
  // A plain dependency is left alone: it keeps its process while db restarts.
  assert.deepEqual(diff.restartedFor, [{ service: 'web', because: 'db' }]);
  assert.deepEqual(diffProject(running, running).restartedFor, []);
});
