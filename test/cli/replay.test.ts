// `nestor replay FILE` over the golden logs (the same files test/state replays), the harness's
// captureLog → replayFile round trip, and `nestor harness replay` through a real bus.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEventLog, replayFile, runCli } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { reduceAll } from '../../src/state/index.ts';
import { selectStatusJson } from '../../src/views/index.ts';
import type { ReplayStep } from '../../src/state/index.ts';
import type { StatusJson } from '../../src/views/index.ts';
import { PROJECT_DIR, demoStack, runMain } from './helpers.ts';

const REPLAYS = join(PROJECT_DIR, 'test/fixtures/replays');
const logs = (await readdir(REPLAYS)).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -'.jsonl'.length));

let h: Harness;
let tmp: string;
before(async () => {
  [h, tmp] = await Promise.all([demoStack('cli-replay'), mkdtemp(join(tmpdir(), 'nestor-replay-'))]);
});
after(async () => {
  await h.close();
  await rm(tmp, { recursive: true, force: true });
});

for (const name of logs) {
  test(`replay ${name}.jsonl --json prints ${name}.expected.json`, async () => {
    const res = await runMain(['replay', join(REPLAYS, `${name}.jsonl`), '--json'], { cwd: PROJECT_DIR });
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.json(), JSON.parse(await readFile(join(REPLAYS, `${name}.expected.json`), 'utf8')));
  });
}

test('replay --step lists every transition, then the table', async () => {
  const res = await runCli(['replay', 'test/fixtures/replays/startup-with-dependency.jsonl', '--step'], { cwd: PROJECT_DIR });
  assert.equal(res.code, 0, res.stderr);
  const lines = res.stdout.split('\n');
  assert.match(lines[0] ?? '', /^#1\s+node\.up\s+-$/);
  assert.match(lines[1] ?? '', /^#2\s+service\.register\s+db\s+\(new\) → pending$/);
  assert.ok(lines.some((l) => /^#8\s+service\.ready\s+db\s+running → ready$/.test(l)));
  assert.match(res.stdout, /^SERVICE\s+STATE\s+PID/m);
  assert.match(res.stderr, /replayed through seq 14: 14 event\(s\) applied, 0 ignored/);

  const json = await runMain(['replay', join(REPLAYS, 'startup-with-dependency.jsonl'), '--step', '--json'], { cwd: PROJECT_DIR });
  const steps = json.jsonLines<ReplayStep>();
  assert.equal(steps.length, 14);
  assert.deepEqual(steps[1], { seq: 2, type: 'orchestrator.service.register', service: 'db', from: null, to: 'pending', ignored: false });
});

test('replay --until stops at a sequence', async () => {
  const res = await runMain(['replay', join(REPLAYS, 'startup-with-dependency.jsonl'), '--until', '6', '--json'], { cwd: PROJECT_DIR });
  const doc = res.json<StatusJson>();
  assert.equal(doc.seq, 6);
  assert.deepEqual(doc.services.map((s) => [s.id, s.state]), [
    ['api', 'pending'],
    ['db', 'running'],
  ]);
});

test('a corrupted line is skipped with its line number and reason; the rest still applies', async () => {
  const res = await runMain(['replay', join(REPLAYS, 'corrupted-line.jsonl'), '--json'], { cwd: PROJECT_DIR });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stderr, /corrupted-line\.jsonl:13: skipped \(payload\): orchestrator\.service\.health: status/);
  assert.deepEqual(res.json(), JSON.parse(await readFile(join(REPLAYS, 'corrupted-line.expected.json'), 'utf8')));
});

test('a file that is not an event log is a usage error naming how many lines were skipped', async () => {
  const file = join(tmp, 'not-events.txt');
  await writeFile(file, 'hello\n\n{"not":"an event"}\nlast line\n');
  const res = await runMain(['replay', file], { cwd: tmp });
  assert.equal(res.code, 2);
  assert.match(res.stderr, /not-events\.txt holds no events: all 3 non-blank line\(s\) were skipped/);
  assert.doesNotMatch(res.stdout, /no services in this log/);
});

test('a missing log file is a usage error', async () => {
  const res = await runMain(['replay', join(tmp, 'nope.jsonl')], { cwd: tmp });
  assert.equal(res.code, 2);
  assert.match(res.stderr, /cannot read the event log .*nope\.jsonl: ENOENT/);
});

test('captureLog writes the events --json format; replaying it gives the harness state', async () => {
  const file = join(tmp, 'captured.jsonl');
  const count = await h.captureLog(file);
  const parsed = await readEventLog(file);
  assert.deepEqual(parsed.skipped, []);
  assert.equal(parsed.events.length, count);
  const last = parsed.events.at(-1)?.seq ?? 0;
  const printed = await h.cli(['events', '--json']);
  assert.deepEqual(
    printed.jsonLines<{ seq: number }>().filter((e) => e.seq <= last),
    JSON.parse(JSON.stringify(parsed.events)),
    'the same lines `nestor events --json` prints',
  );
  const replayed = await replayFile(file);
  assert.deepEqual(selectStatusJson(replayed.state), selectStatusJson(reduceAll(h.events().filter((e) => e.seq <= last))));
  assert.deepEqual(
    selectStatusJson(replayed.state).services.map((s) => [s.id, s.state]),
    [
      ['alpha', 'ready'],
      ['beta', 'ready'],
    ],
  );
  const cli = await runMain(['replay', file, '--json'], { cwd: tmp });
  assert.deepEqual(cli.json(), JSON.parse(JSON.stringify(selectStatusJson(replayed.state))));
});

test('harness replay publishes the log onto a throwaway bus and checks the state it reduces to', async () => {
  const res = await runCli(['harness', 'replay', join(REPLAYS, 'crash-loop.jsonl'), '--json'], { cwd: tmp });
  assert.equal(res.code, 0, res.stderr);
  const expected = JSON.parse(await readFile(join(REPLAYS, 'crash-loop.expected.json'), 'utf8')) as StatusJson;
  assert.deepEqual(res.json<StatusJson>().services, expected.services);
  assert.match(res.stderr, /17 event\(s\) published to nats:\/\/127\.0\.0\.1:\d+; the state reduced from the stream matches the replay/);
  assert.deepEqual(await readdir(join(tmp, '.data-test')), [], 'the throwaway instance left no data dir');
});
