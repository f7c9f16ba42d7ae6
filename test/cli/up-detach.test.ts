// `nestor up --detach` and `nestor down` as a user runs them, in throwaway project folders: the
// stack comes up in the background and the command returns once it has settled; down returns
// once every process (services, the broker, `nestor up` itself) has gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../src/harness/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import { isProcessAlive } from '../../src/process/index.ts';
import { tempProject } from './helpers.ts';


const STACK = `services:
  setup:
    kind: oneshot
    process: { command: node, args: ["-e", "console.log('setup done')"] }
  server:
    process: { command: node, args: ["-e", "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.NESTOR_PORT), '127.0.0.1')"] }
    portStrategy: random
    ports: { primary: { protocol: http } }
    health: { type: http, endpoint: "/", interval: 100ms }
    dependencies: [{ id: setup, condition: completed }]
`;

test('up --detach returns once every service is ready or completed (exit 0); down leaves no process', async (t) => {
  const dir = await tempProject(t, STACK);
  const up = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /^server\s+ready\s+\d+\s+primary:\d+\s/m);
  assert.match(up.stdout, /^setup\s+completed\s/m);
  assert.match(up.stderr, /started nestor up in the background \(pid \d+\); output in .*nestor-up\.log/);

  const [status, info] = await Promise.all([runCli(['status', '--json'], { cwd: dir }), runCli(['info', '--json'], { cwd: dir })]);
  const server = status.json<StatusJson>().services.find((s) => s.id === 'server');
  assert.equal(server?.state, 'ready');
  const reply = await fetch(`http://127.0.0.1:${server?.ports.primary}/`);
  assert.equal(await reply.text(), 'ok');
  const upPid = info.json<{ pid: number }>().pid;
  const natsPid = Number(await readFile(join(dir, '.data', 'nats', 'nats-server.pid'), 'utf8'));
  const pids = [upPid, natsPid, server?.pid as number];
  for (const pid of pids) assert.equal(await isProcessAlive(pid), true, `pid ${pid} runs before down`);

  const down = await runCli(['down'], { cwd: dir });
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stderr, new RegExp(`stopping nestor up \\(pid ${upPid}, node \\S+\\)`));
  assert.match(down.stderr, /server\s+ready → stopping/);
  assert.match(down.stderr, /stopped\n$/);
  for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`) && (await isProcessAlive(pid)), false, `pid ${pid} is gone after down`);
  assert.equal(existsSync(join(dir, '.data', 'runtime.json')), false);

  const again = await runCli(['down'], { cwd: dir });
  assert.equal(again.code, 1);
  assert.equal(again.stderr, `nestor: Nestor is not running in ${dir}; start it with \`nestor up\`\n`);
});

test('up --detach exits 1 when a service fails, and a second up applies to the running stack instead of starting one', async (t) => {
  const dir = await tempProject(t, `${STACK}  broken:\n    process: { command: ./does-not-exist }\n    maxRestarts: 0\n`);
  const up = await runCli(['up', '--detach', '--json'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 1, up.stderr);
  assert.deepEqual(
    up.json<StatusJson>().services.map((s) => [s.id, s.state]),
    [
      ['broken', 'failed'],
      ['server', 'ready'],
      ['setup', 'completed'],
    ],
  );
  assert.match(up.stderr, /not ready: broken failed \(retries exhausted after 0 attempts \(maxRestarts 0\); last error: spawn: [^\n]*\)\nnestor: `nestor status broken` shows why, `nestor logs broken` its output; `nestor down` stops the stack/);

  // A second up starts no second stack: it applies the (unchanged) file to the running one.
  const second = await runCli(['up', '--detach'], { cwd: dir });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /Nestor is already running in this project \(pid \d+, bus nats:\/\/[^)]+\): applying the project file to it/);
  assert.match(second.stdout, /no changes \(3 unchanged\)/);
  assert.equal((await runCli(['down'], { cwd: dir })).code, 0);
});

test('up --detach with an invalid project exits 2 before starting anything', async (t) => {
  const dir = await tempProject(t, 'services:\n  api:\n    process: { command: "" }\n');
  const up = await runCli(['up', '--detach'], { cwd: dir });
  assert.equal(up.code, 2);
  assert.match(up.stderr, /nestor\.yaml: services\.api\.process\.command: expected non-empty string, got ""/);
  assert.equal(existsSync(join(dir, '.data', 'nestor-up.log')), false);
  const json = await runCli(['up', '--json'], { cwd: dir });
  assert.equal(json.code, 2);
  assert.match(json.stderr, /--json needs --detach/);
});

test('up --detach reports the end of the log when nestor up dies before it is up', async (t) => {
  const dir = await tempProject(t, STACK);
  const up = await runCli(['up', '--detach', '--nats-server', '/nonexistent/nats-server'], { cwd: dir });
  assert.notEqual(up.code, 0);
  assert.match(up.stderr, /nestor up exited with code \d before the stack settled; the end of .*nestor-up\.log:\n/);
  assert.match(up.stderr, /nonexistent\/nats-server/);
});
