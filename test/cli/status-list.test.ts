// `nestor status`, `list` and `info` against a running instance (the demo stack in a harness),
// found through NESTOR_URL: tables for people, the contract's JSON shapes for scripts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { reduceAll } from '../../src/state/index.ts';
import { selectStatusJson } from '../../src/views/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { STACK_TRACE, demoStack } from './helpers.ts';

let h: Harness;
before(async () => {
  h = await demoStack('cli-status');
});
after(() => h.close());

test('status --json is the status document of the stream, in the DESIGN.md shape', async () => {
  const res = await h.cli(['status', '--json']);
  assert.equal(res.code, 0, res.stderr);
  const doc = res.json<StatusJson>();
  // The same events reduced by the harness, up to the sequence the CLI saw.
  await h.waitUntil(`recorder at seq ${doc.seq}`, (s) => s.seq >= doc.seq);
  const same = reduceAll(h.events().filter((e) => e.seq <= doc.seq));
  assert.deepEqual(doc, JSON.parse(JSON.stringify(selectStatusJson(same))));
  assert.deepEqual(
    doc.services.map((s) => s.id),
    ['alpha', 'beta'],
  );
  for (const s of doc.services) {
    assert.equal(s.state, 'ready');
    assert.equal(s.enabled, true);
    assert.equal(s.pid, h.service(s.id).pid);
    assert.equal(typeof s.ports.primary, 'number');
    assert.notEqual(s.ports.primary, s.id === 'alpha' ? 7101 : 7102, 'random ports, not the fixed ones');
    assert.equal(s.restarts, 0);
    assert.equal(s.node, h.config.node);
  }
});

test('status prints a table with one row per service', async () => {
  const res = await h.cli(['status']);
  assert.equal(res.code, 0, res.stderr);
  const [header, ...rows] = res.stdout.trimEnd().split('\n');
  assert.match(header ?? '', /^SERVICE\s+STATE\s+PID\s+PORTS\s+RESTARTS\s+UPTIME\s+HEALTH\s+NODE$/);
  assert.equal(rows.length, 2);
  const alpha = h.service('alpha');
  assert.match(rows[0] ?? '', new RegExp(`^alpha\\s+ready\\s+${alpha.pid}\\s+primary:${alpha.ports.primary}\\s+0\\s+\\S+\\s+healthy\\s+${h.config.node}$`));
  assert.match(rows[1] ?? '', /^beta\s+ready\s+\d+\s+primary:\d+\s+0\s/);
});

test('status ID shows one service in detail; with --json the document holds only it', async () => {
  const [human, json] = await Promise.all([h.cli(['status', 'beta']), h.cli(['status', 'beta', '--json'])]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^service\s+beta \(Beta\)$/m);
  assert.match(human.stdout, /^state\s+ready since \S+$/m);
  assert.match(human.stdout, /^depends on\s+alpha \(ready\)$/m);
  // The same word as the dashboard's and the TUI's health badge, not the probe's `passing`.
  assert.match(human.stdout, /^health\s+healthy$/m);
  assert.match(human.stdout, new RegExp(`^log\\s+${h.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/logs/beta\\.log `, 'm'));
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(
    json.json<StatusJson>().services.map((s) => [s.id, s.state, s.dependencies]),
    [['beta', 'ready', [{ id: 'alpha', condition: 'ready' }]]],
  );
});

test('status of an unknown service exits 2 and names the registered ones', async () => {
  const res = await h.cli(['status', 'gamma']);
  assert.equal(res.code, 2);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /unknown service "gamma"; registered: alpha, beta/);
  assert.doesNotMatch(res.stderr, STACK_TRACE);
});

test('list shows what the services are; --json has the status shape; -q prints the ids', async () => {
  const [human, json, quiet] = await Promise.all([h.cli(['list']), h.cli(['list', '--json']), h.cli(['list', '-q'])]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^SERVICE\s+STATE\s+ENABLED\s+KIND\s+NODE\s+DEPENDS ON\s+DESCRIPTION$/m);
  assert.match(human.stdout, new RegExp(`^beta\\s+ready\\s+yes\\s+daemon\\s+${h.config.node}\\s+alpha\\s+Demo HTTP service that depends on alpha`, 'm'));
  assert.deepEqual(json.json<StatusJson>().services.map((s) => s.id), ['alpha', 'beta']);
  assert.equal(quiet.stdout, 'alpha\nbeta\n');
});

test('info --json tells scripts how to reach the instance', async () => {
  const res = await h.cli(['info', '--json']);
  assert.equal(res.code, 0, res.stderr);
  const info = res.json<Record<string, unknown>>();
  const up = await h.waitForEvent('orchestrator.node.up', (e) => e.data.node === h.config.node);
  assert.deepEqual(
    { node: info.node, pid: info.pid, nats: info.nats, api: info.api, dataDir: info.dataDir },
    { node: h.config.node, pid: up.data.pid, nats: h.bus.natsUrl, api: up.data.api, dataDir: h.dataDir },
  );
  assert.equal(info.pid, process.pid, 'the harness node runs in the test process');
  const human = await h.cli(['info']);
  assert.match(human.stdout, new RegExp(`^bus\\s+${h.bus.natsUrl}$`, 'm'));
  assert.match(human.stdout, /^found via\s+NESTOR_URL$/m);
});
