// Golden event logs, fixed inputs whose reduced state is checked: each
// test/fixtures/replays/<name>.jsonl, as `nestor events --json` prints it, replays to the
// `status --json` document in <name>.expected.json. The expected files are written by hand from
// the logs, not dumped by the reducer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseEventLog, replayLog } from '../../src/state/index.ts';
import { selectStatusJson } from '../../src/views/index.ts';
import type { ReplayStep } from '../../src/state/index.ts';

const dir = new URL('../fixtures/replays/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, dir), 'utf8');
const logs = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .map((f) => f.slice(0, -'.jsonl'.length))
  .sort();

test('the golden logs are all there, each with its expected status', () => {
  for (const name of ['startup-with-dependency', 'crash-loop', 'disable-enable', 'oneshot-completes', 'corrupted-line', 'profile-enables-between-ups']) {
    assert.ok(logs.includes(name), `${name}.jsonl exists`);
  }
  for (const name of logs) assert.doesNotThrow(() => JSON.parse(read(`${name}.expected.json`)), `${name}.expected.json`);
});

for (const name of logs) {
  test(`replaying ${name}.jsonl gives ${name}.expected.json`, () => {
    const { state } = replayLog(read(`${name}.jsonl`));
    const expected: unknown = JSON.parse(read(`${name}.expected.json`));
    assert.deepEqual(JSON.parse(JSON.stringify(selectStatusJson(state))), expected);
  });
}

for (const name of logs.filter((n) => n !== 'corrupted-line')) {
  test(`${name}.jsonl is a clean log: nothing skipped, nothing ignored`, () => {
    const { state, skipped } = replayLog(read(`${name}.jsonl`));
    assert.deepEqual(skipped, []);
    assert.deepEqual(state.counters.ignoredByType, {});
    assert.equal(state.counters.applied, state.seq);
  });
}

test('a corrupted line is skipped with its line number and the failing field; the rest applies', () => {
  const { state, skipped } = replayLog(read('corrupted-line.jsonl'));
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0]?.line, 13);
  assert.equal(skipped[0]?.reason, 'payload');
  assert.match(skipped[0]?.detail ?? '', /^orchestrator\.service\.health: status: /);
  assert.equal(state.counters.applied, 13, 'the 13 other events applied');
  assert.equal(state.counters.ignored, 0);
  assert.equal(state.seq, 14, 'the cursor still reaches the last line');
});

test('each kind of bad line gets its own reason; blank lines and CRLF are fine', () => {
  const lines = read('oneshot-completes.jsonl').trim().split('\n');
  const [l1, l2, l3, l4, l5] = lines as [string, string, string, string, string];
  const e3 = JSON.parse(l3) as Record<string, unknown>;
  const e4 = JSON.parse(l4) as Record<string, unknown>;
  const text = [
    l1,
    '',
    l2.slice(0, 40), // truncated write
    JSON.stringify({ ...e3, seq: undefined }), // no seq
    JSON.stringify({ ...e3, version: 2 }),
    JSON.stringify({ ...e3, type: 'orchestrator.service.teleported' }),
    JSON.stringify({ ...e4, seq: 1 }), // not after seq 1
    l2,
    l5,
  ].join('\r\n');
  const { events, skipped } = parseEventLog(text);
  assert.deepEqual(
    skipped.map(({ line, reason }) => ({ line, reason })),
    [
      { line: 3, reason: 'json' },
      { line: 4, reason: 'seq' },
      { line: 5, reason: 'version' },
      { line: 6, reason: 'type' },
      { line: 7, reason: 'seq' },
    ],
  );
  assert.match(skipped[4]?.detail ?? '', /seq 1 does not follow seq 1/);
  assert.deepEqual(
    events.map((e) => e.seq),
    [1, 2, 5],
  );
});

test('an event impossible in its state is counted as ignored, and the replay goes on', () => {
  const lines = read('oneshot-completes.jsonl').trim().split('\n');
  const exit = JSON.parse(lines[7] as string) as { seq: number };
  // The migrate exit delivered twice (a second exit while completed), then the rest.
  const text = [...lines.slice(0, 8), JSON.stringify({ ...exit, seq: 100 }), ...lines.slice(8).map((l, i) => JSON.stringify({ ...JSON.parse(l), seq: 101 + i }))].join('\n');
  const { state, skipped } = replayLog(text);
  assert.deepEqual(skipped, []);
  assert.deepEqual(state.counters.ignoredByType, { 'orchestrator.service.exit': 1 });
  assert.equal(state.services['migrate']?.state, 'completed');
  assert.equal(state.services['api']?.state, 'ready');
});

test('step mode lists every transition of the crash loop', () => {
  const { steps } = replayLog(read('crash-loop.jsonl'), { steps: true });
  assert.ok(steps);
  const worker = (steps as ReplayStep[]).filter((s) => s.service === 'worker' && s.from !== s.to);
  assert.deepEqual(
    worker.map((s) => `${s.from ?? '∅'}>${s.to ?? '∅'}`),
    [
      '∅>pending',
      'pending>starting',
      'starting>running',
      'running>stopped',
      'stopped>backoff',
      'backoff>starting',
      'starting>running',
      'running>stopped',
      'stopped>backoff',
      'backoff>starting',
      'starting>running',
      'running>stopped',
      'stopped>failed',
    ],
  );
  assert.deepEqual((steps as ReplayStep[])[0], { seq: 1, type: 'orchestrator.node.up', service: null, from: null, to: null, ignored: false });
  assert.equal((steps as ReplayStep[]).length, 17);
  assert.ok((steps as ReplayStep[]).every((s) => !s.ignored));
});
