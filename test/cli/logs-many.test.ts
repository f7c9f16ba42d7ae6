// `nestor logs` over several services: a real `nestor up -d` with two services printing in turn
// (and one writing JSON lines), then the merged, prefixed, filtered and followed output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli, startCli } from '../../src/harness/index.ts';
import { turnPrinter } from '../fixtures/turn-printer.ts';
import { tempProject } from './helpers.ts';

// Each service prints its lines at offsets from one shared moment (the go file) and stays up; a
// and b take turns 300 ms apart so their lines interleave.
const printer = (lines: [number, string, 'out' | 'err'][]): string => JSON.stringify(turnPrinter('go', lines));

const YAML = `services:
  a:
    process: { command: node, args: ["-e", ${printer([[0, 'a1', 'out'], [600, 'a2', 'err']])}] }
  b:
    process: { command: node, args: ["-e", ${printer([[300, 'b1', 'out'], [900, 'b2', 'out']])}] }
  j:
    logging: { format: json }
    process: { command: node, args: ["-e", ${printer([[0, '{"level":30,"msg":"hello from j","pid":1}', 'out'], [50, 'not json at all', 'out']])}] }
`;

test('logs with no id interleaves every service by time, with prefixes, --json, --since and -f', async (t) => {
  const dir = await tempProject(t, YAML, 'nestor-logs-many-');
  const env = { NO_COLOR: '1' };
  const up = await runCli(['up', '-d'], { cwd: dir, env });
  assert.equal(up.code, 0, up.stderr);
  await writeFile(join(dir, 'go'), '');

  let json: { service: string; stream: string; time: string; text: string; level?: string; message?: string }[] = [];
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const res = await runCli(['logs', 'a', 'b', '--json'], { cwd: dir, env });
    assert.equal(res.code, 0, res.stderr);
    json = res.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as (typeof json)[number]);
    if (json.length >= 4) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(
    json.map((l) => [l.service, l.stream, l.text]),
    [
      ['a', 'stdout', 'a1'],
      ['b', 'stdout', 'b1'],
      ['a', 'stderr', 'a2'],
      ['b', 'stdout', 'b2'],
    ],
  );
  assert.ok(json.every((l, i) => i === 0 || Date.parse(l.time) >= Date.parse(json[i - 1]?.time ?? '')), 'times never go back');

  const all = await runCli(['logs'], { cwd: dir, env });
  assert.equal(all.code, 0, all.stderr);
  const lines = all.stdout.split('\n').filter(Boolean);
  assert.deepEqual(
    lines.filter((l) => /^[ab] /.test(l)),
    ['a | a1', 'b | b1', 'a | a2', 'b | b2'],
  );
  assert.ok(lines.includes('j | INFO  hello from j'), all.stdout);
  assert.ok(lines.includes('j | not json at all'), all.stdout);

  const tail = await runCli(['logs', 'a', 'b', '--tail', '1'], { cwd: dir, env });
  assert.deepEqual(tail.stdout.split('\n').filter(Boolean), ['a | a2', 'b | b2']);

  const since = await runCli(['logs', 'a', 'b', '--since', json[2]?.time ?? ''], { cwd: dir, env });
  assert.deepEqual(since.stdout.split('\n').filter(Boolean), ['a | a2', 'b | b2']);
  const future = await runCli(['logs', '--since', '1m'], { cwd: dir, env });
  assert.equal(future.code, 0);
  const bad = await runCli(['logs', '--since', 'yesterday'], { cwd: dir, env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--since "yesterday": expected an age/);

  const jsonJ = await runCli(['logs', 'j', '--json'], { cwd: dir, env });
  const first = JSON.parse(jsonJ.stdout.split('\n')[0] ?? '') as (typeof json)[number];
  assert.equal(first.level, 'info');
  assert.equal(first.message, 'hello from j');

  const follow = startCli(['logs', '-f', '-n', '0'], { cwd: dir, env });
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await runCli(['restart', 'b'], { cwd: dir, env })).code, 0);
  await follow.waitForLine(/^b \| b1$/);
  await follow.waitForLine(/^b \| b2$/);
  assert.equal((await follow.interrupt()).code, 0);
});
