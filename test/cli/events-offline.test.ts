// `nestor events` with the stack down: the history a file store kept is read through a temporary
// nats-server that never outlives the command nor gets in the way of the next `nestor up`; a
// memory store or an external broker is said plainly. And `-f FILE` names the project file, as
// for the other verbs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestorEvent, Stored } from '../../src/events/index.ts';
import { runCli } from '../../src/harness/index.ts';
import { HISTORY_TMP_PREFIX } from '../../src/cli/stored-history.ts';
import { runMain, tempProject } from './helpers.ts';

const STACK = `services:
  setup:
    kind: oneshot
    process: { command: node, args: ["-e", "console.log('setup done')"] }
`;

// Processes whose command line names one of the temporary servers' folders.
function historyServers(): number[] {
  const marker = join(tmpdir(), HISTORY_TMP_PREFIX);
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

test('events reads the history a stopped stack stored (file store), with -f FILE too, and the next up still starts', async (t) => {
  const dir = await tempProject(t, STACK);
  const up = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(up.code, 0, up.stderr);
  assert.equal((await runCli(['down'], { cwd: dir })).code, 0);

  const res = await runCli(['events', '--json'], { cwd: dir });
  assert.equal(res.code, 0, res.stderr);
  const events = res.jsonLines<Stored<NestorEvent>>();
  assert.equal(events[0]?.type, 'orchestrator.node.up');
  assert.ok(events.some((e) => e.type === 'orchestrator.service.exit' && e.data.service === 'setup'));
  const down = events.findLast((e) => e.type === 'orchestrator.node.down');
  assert.deepEqual(down?.data, { node: events[0]?.origin.node, reason: 'signal SIGTERM' });
  // The node's last snapshot, saved as it stopped, includes its node.down.
  assert.equal(events.at(-1)?.type, 'orchestrator.snapshot.saved');
  assert.ok(down !== undefined && events.findIndex((e) => e === down) === events.length - 2);
  assert.deepEqual(historyServers(), [], 'the temporary server is gone');

  // -f and --file, from another folder, with another file name.
  await copyFile(join(dir, 'nestor.yaml'), join(dir, 'other.yaml'));
  const [short, long, follow] = await Promise.all([
    runCli(['events', '-f', join(dir, 'other.yaml'), '--json', '--type', 'node.down'], { cwd: tmpdir() }),
    runCli(['events', '--file', join(dir, 'nestor.yaml'), '--service', 'setup'], { cwd: tmpdir() }),
    runCli(['events', '--follow', '--type', 'node.up'], { cwd: dir }),
  ]);
  assert.equal(short.code, 0, short.stderr);
  assert.deepEqual(short.jsonLines(), [down]);
  assert.equal(long.code, 0, long.stderr);
  assert.match(long.stdout, /service\.exit\s+setup\s+pid \d+ code 0/);
  assert.equal(follow.code, 0, follow.stderr);
  assert.match(follow.stdout, /^#1\s+\S+\s+node\.up\s/);
  assert.match(follow.stderr, /Nestor is not running in .*: this is the stored history, and no new events will come; start it with `nestor up` to follow them/);
  assert.deepEqual(historyServers(), []);

  const again = await runCli(['up', '--detach'], { cwd: dir, timeoutMs: 90_000 });
  assert.equal(again.code, 0, again.stderr);
  const live = await runCli(['events', '--json', '--type', 'node.up'], { cwd: dir });
  assert.equal(live.jsonLines().length, 2, 'the new run appends to the same stream');
  assert.equal((await runCli(['down'], { cwd: dir })).code, 0);
});

test('events with the stack down says why there is no stored history to read (exit 1)', async (t) => {
  const memory = await tempProject(t, `config:\n  nats: { store: memory }\n${STACK}`);
  const res = await runMain(['events'], { cwd: memory });
  assert.equal(res.code, 1);
  assert.equal(
    res.stderr,
    "nestor: history needs a running node: this project's events are kept in memory by the embedded broker (nats.store: memory), so nothing survives a stop; start it with `nestor up`\n",
  );
  const external = await tempProject(t, `config:\n  nats: { mode: external, urls: ["nats://10.0.0.9:4222"] }\n${STACK}`);
  const ext = await runMain(['events', '-f', join(external, 'nestor.yaml')], { cwd: tmpdir() });
  assert.equal(ext.code, 1);
  assert.equal(
    ext.stderr,
    `nestor: Nestor is not running in ${external}; its history is on the NATS servers of nats.urls: read it with \`NESTOR_URL=nats://10.0.0.9:4222 nestor events\`\n`,
  );
});
