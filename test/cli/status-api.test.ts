// `nestor status` and `list` on a stack started with `nestor up --detach`: they ask the node's
// HTTP API (its URL in the runtime info, with the project's API token) for the live state, and
// print exactly what reading the event stream prints; when the API does not answer they read
// the stream. NESTOR_STATUS_SOURCE pins the source, so each path is checked on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runCli } from '../../src/harness/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import { runMain, tempProject } from './helpers.ts';

const STACK = `config: { api: { token: status-secret } }
services:
  db:
    process: { command: node, args: ["-e", "setInterval(() => {}, 1000)"] }
  web:
    process: { command: node, args: ["-e", "setInterval(() => {}, 1000)"] }
    dependencies: [{ id: db, condition: started }]
`;

const via = (source: 'api' | 'stream' | undefined) => (source === undefined ? {} : { NESTOR_STATUS_SOURCE: source });

// The UPTIME column moves with the clock between two runs; everything else must match.
const withoutUptime = (table: string): string => table.replace(/\s\d+(ms|s|m|h|d)\s/g, ' <uptime> ');

// A port on which nothing listens.
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

test('status and list of a running node answer through its API, the same as the stream gives', async (t) => {
  const dir = await tempProject(t, STACK, 'nestor-status-api-');
  const up = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  const run = (args: string[], source?: 'api' | 'stream') => runMain(args, { cwd: dir, env: via(source) });

  for (const args of [['status', '--json'], ['list', '--json'], ['status', 'web', '--json'], ['list'], ['list', '-q']]) {
    const [api, stream, chosen] = [await run(args, 'api'), await run(args, 'stream'), await run(args)];
    for (const r of [api, stream, chosen]) assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(api.stdout, stream.stdout, args.join(' '));
    assert.equal(chosen.stdout, stream.stdout, args.join(' '));
  }
  const [apiTable, streamTable] = [await run(['status'], 'api'), await run(['status'], 'stream')];
  assert.match(apiTable.stdout, /^web\s+ready\s+\d+\s/m);
  assert.equal(withoutUptime(apiTable.stdout), withoutUptime(streamTable.stdout));
  const [apiDetail, streamDetail] = [await run(['status', 'db'], 'api'), await run(['status', 'db'], 'stream')];
  assert.match(apiDetail.stdout, /^log\s+.*\/logs\/db\.log /m);
  assert.equal(withoutUptime(apiDetail.stdout), withoutUptime(streamDetail.stdout));

  // A command the CLI waited for shows at once: the node answers once it has caught up with the stream.
  const stop = await run(['stop', 'web']);
  assert.equal(stop.code, 0, stop.stderr);
  const after = await run(['status', '--json'], 'api');
  assert.equal(after.json<StatusJson>().services.find((s) => s.id === 'web')?.state, 'stopped');
});

test('status reads the stream when the API named in the runtime info does not answer', async (t) => {
  const dir = await tempProject(t, STACK, 'nestor-status-api-');
  const up = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  const file = join(dir, '.data', 'runtime.json');
  const original = await readFile(file, 'utf8');
  const stream = await runMain(['status', '--json'], { cwd: dir, env: via('stream') });
  assert.equal(stream.code, 0, stream.stderr);

  const info = JSON.parse(original) as { api: string };
  await writeFile(file, JSON.stringify({ ...info, api: `http://127.0.0.1:${await deadPort()}` }));
  const fallback = await runMain(['status', '--json'], { cwd: dir, env: {} });
  assert.equal(fallback.code, 0, fallback.stderr);
  assert.equal(fallback.stdout, stream.stdout);
  const pinned = await runMain(['status'], { cwd: dir, env: via('api') });
  assert.equal(pinned.code, 1);
  assert.match(pinned.stderr, /NESTOR_STATUS_SOURCE=api: http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);

  // A wrong token is refused by the API (401); the stream still answers.
  await writeFile(file, original);
  const wrongToken = await runMain(['status', '--json'], { cwd: dir, env: { NESTOR_API_TOKEN: 'not-the-token' } });
  assert.equal(wrongToken.code, 0, wrongToken.stderr);
  assert.equal(wrongToken.stdout, stream.stdout);
  const refused = await runMain(['status'], { cwd: dir, env: { NESTOR_API_TOKEN: 'not-the-token', ...via('api') } });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /HTTP 401/);
});
