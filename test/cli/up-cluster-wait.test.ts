// `nestor up` on the first machine of a three-server cluster, as a user starts it: it says what
// it waits for, a signal stops it cleanly while it waits, and `up --detach` names the wait as
// the reason it returned (leaving the node to join later) and `down` stops that node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, startCli } from '../../src/harness/index.ts';
import { allocatePort, isProcessAlive } from '../../src/process/index.ts';
import { tempProject } from './helpers.ts';

const STACK = `services:
  idle:
    process: { command: node, args: ["-e", "setInterval(() => {}, 1000)"] }
`;

// Cluster flags for the first of three members; nothing listens on the two routes.
async function firstMemberFlags(): Promise<{ flags: string[]; routes: string[] }> {
  const [own, b, c] = [await allocatePort(), await allocatePort(), await allocatePort()];
  const routes = [b, c].map((p) => `nats://127.0.0.1:${p}`);
  return { routes, flags: ['--cluster-name', 'wait-cli', '--cluster-port', String(own), ...routes.flatMap((r) => ['--cluster-route', r])] };
}

// Every process whose command line names the project folder: `nestor up`, its nats-server
// (config file in the data dir) and its guardian.
function processesOf(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

// A failed test must not leave a waiting node behind: it would wait for its peers forever.
function killLeftovers(t: TestContext, dir: string): void {
  t.after(() => {
    for (const pid of processesOf(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

// The node's own log has every progress line as it happens; stderr is only read at exit.
async function waitForLog(dir: string, match: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(join(dir, '.data', 'nestor.log'), 'utf8').catch(() => '');
    const line = match.exec(text);
    if (line !== null) return line[0];
    if (Date.now() > deadline) throw new Error(`no line matching ${String(match)} in nestor.log:\n${text}`);
    await sleep(100);
  }
}

async function waitNone(dir: string, timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (processesOf(dir).length > 0 && Date.now() < deadline) await sleep(100);
  return processesOf(dir);
}

test('up waiting for its cluster peers says so, and SIGTERM stops it and its nats-server', async (t) => {
  const dir = await tempProject(t, STACK, 'nestor-cluster-wait-');
  killLeftovers(t, dir);
  const { flags, routes } = await firstMemberFlags();
  const up = startCli(['up', ...flags], { cwd: dir, timeoutMs: 90_000 });
  await waitForLog(dir, /waiting for the cluster: 1 of 3 servers seen/);
  const natsPid = Number(await readFile(join(dir, '.data', 'nats', 'nats-server.pid'), 'utf8'));
  assert.equal(await isProcessAlive(natsPid), true);

  process.kill(up.pid, 'SIGTERM');
  const result = await up.result;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, new RegExp(`^nestor waiting for the cluster: 1 of 3 servers seen, JetStream needs 2; dialling ${routes.join(', ')}$`, 'm'));
  assert.match(result.stderr, /nestor SIGTERM: stopping before the node has started[^\n]*\nnestor stopped\n$/);
  assert.equal(await isProcessAlive(natsPid), false, `nats-server ${natsPid} is gone`);
  assert.deepEqual(await waitNone(dir), [], 'no process of the project is left');
});

test('up --detach returns when its wait ends while the node waits for its peers, naming the cause; down stops the node', async (t) => {
  const dir = await tempProject(t, STACK, 'nestor-cluster-detach-');
  killLeftovers(t, dir);
  const { flags, routes } = await firstMemberFlags();
  const up = await runCli(['up', '--detach', '--wait-timeout', '6s', ...flags], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 1, up.stderr);
  assert.match(up.stderr, /^nestor waiting for the cluster: 1 of 3 servers seen, JetStream needs 2; dialling /m);
  assert.match(
    up.stderr,
    new RegExp(
      `nestor: nestor up \\(pid \\d+\\) is still waiting for its cluster peers after 6s: 1 of 3 servers seen, JetStream needs 2\\. ` +
        `It keeps running and joins the cluster once enough of them are up: start nestor up on the other members \\(it dials ${routes.join(', ')}\\); ` +
        'its output is in .*nestor-up\\.log; `nestor down` stops it\n$',
    ),
  );
  const upPid = Number(/in the background \(pid (\d+)\)/.exec(up.stderr)?.[1]);
  assert.equal(await isProcessAlive(upPid), true, 'the node keeps waiting for its peers');

  const down = await runCli(['down'], { cwd: dir, timeoutMs: 60_000 });
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stderr, new RegExp(`stopping nestor up \\(pid ${upPid}\\), which has not finished starting\nnestor stopped\n$`));
  assert.deepEqual(await waitNone(dir), [], 'no process of the project is left');
});
