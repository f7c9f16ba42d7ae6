// `nestor down --all` on a cluster of one node: the node is stopped last the way plain `down`
// stops it (its `nestor up` gone, its processes gone), with a JSON summary per node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/harness/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import { isProcessAlive } from '../../src/process/index.ts';
import { tempProject } from './helpers.ts';

const STACK = `services:
  web:
    replicas: 2
    process: { command: node, args: ["-e", "setInterval(() => {}, 1000)"] }
`;

test('down --all stops the only node and reports it; --json needs --all', async (t) => {
  const dir = await tempProject(t, STACK, 'nestor-down-all-');
  const up = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  const [status, info] = await Promise.all([runCli(['status', '--json'], { cwd: dir }), runCli(['info', '--json'], { cwd: dir })]);
  const pids = status.json<StatusJson>().services.flatMap((s) => s.instances.map((i) => i.pid));
  assert.equal(pids.length, 2);
  const { node, pid } = info.json<{ node: string; pid: number }>();

  const usage = await runCli(['down', '--json'], { cwd: dir });
  assert.equal(usage.code, 2);

  const down = await runCli(['down', '--all', '--json'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(down.code, 0, down.stderr);
  assert.deepEqual(down.json(), { ok: true, nodes: [{ node, ok: true, message: 'down' }] });
  assert.match(down.stderr, new RegExp(`stopping 1 node in this order: ${node}`));
  assert.equal(await isProcessAlive(pid), false);
  for (const p of pids) assert.equal(await isProcessAlive(p as number), false);
});
