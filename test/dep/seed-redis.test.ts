// The seed's redis example with its dep on the apt source: `nestor up` installs redis-server
// through apt-get when it is missing (the tests and CI run as root), links it into .dep/bin, runs
// it, and a client writes and reads a key through it (raw RESP over a socket).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/harness/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import { tempProject } from '../cli/helpers.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/specs/', import.meta.url));

/** Sends RESP commands on one connection and resolves with everything redis answered. */
async function resp(port: number, commands: string[][], expectReplies: number): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        data += chunk.toString('utf8');
        if (data.split('\r\n').filter((l) => /^[+\-:$]/.test(l)).length >= expectReplies) resolve(data);
      });
      for (const args of commands) socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
  } finally {
    socket.destroy();
  }
}

test('the seed redis spec with an apt dep: installed, run under Nestor, written and read by a client', async (t) => {
  const spec = JSON.parse(await readFile(join(FIXTURES, 'seed-redis.json'), 'utf8')) as {
    $schema?: string;
    services: { redis: Record<string, unknown> & { ports: { primary: { port?: number } } } };
  };
  // A free port instead of 6379, so the test never meets another redis.
  delete spec.$schema;
  delete spec.services.redis.ports.primary.port;
  spec.services.redis.portStrategy = 'random';
  // JSON is YAML: the spec goes in as the project's nestor.yaml; the helper stops the stack and
  // removes the folder even when the test fails.
  const dir = await tempProject(t, JSON.stringify(spec, null, 2), 'nestor-seed-redis-');
  await copyFile(join(FIXTURES, 'redis.conf.tmpl'), join(dir, 'redis.conf.tmpl'));

  const up = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 600_000 });
  assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
  assert.match(up.stdout, /^redis\s+ready\s/m);

  const status = (await runCli(['status', '--json'], { cwd: dir })).json<StatusJson>();
  const redis = status.services.find((s) => s.id === 'redis');
  const port = Number(redis?.ports.primary);
  assert.ok(port > 0, JSON.stringify(redis));
  const reply = await resp(port, [['SET', 'nestor:seed', 'written through nestor'], ['GET', 'nestor:seed']], 2);
  assert.equal(reply, '+OK\r\n$22\r\nwritten through nestor\r\n');

  const list = (await runCli(['dep', 'list', '--json'], { cwd: dir })).json<{ deps: { name: string; source: string; path: string; target?: string; checksum?: string }[] }>();
  assert.equal(list.deps.length, 1);
  assert.equal(list.deps[0]?.name, 'redis');
  assert.equal(list.deps[0]?.source, 'apt');
  assert.equal(list.deps[0]?.path, join(dir, '.dep/bin/redis-server'));
  assert.match(list.deps[0]?.target ?? '', /\/redis-server$/);
  const verify = await runCli(['dep', 'verify'], { cwd: dir });
  assert.equal(verify.code, 0, verify.stderr);
  assert.equal(verify.stdout, 'redis: ok\n');
});
