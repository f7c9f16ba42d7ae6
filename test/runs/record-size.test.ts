// A run's record is one message in the run bucket, and the broker carries at most max_payload
// bytes (1 MiB by default). Commands a job has not acknowledged stay in the record, so large
// tunes sent to a job that is down would outgrow it: past the bytes of commands a run keeps,
// a command is refused with a message that says why and what to do, the run keeps taking
// heartbeats and delivering what it holds, and once those are acknowledged (the oldest
// acknowledged commands then make room) tunes are taken again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestRuns } from '../../src/bus/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import { RUN_COMMANDS_BYTES } from '../../src/runs/core/index.ts';
import type { Run, RunCommandResult, RunReply } from '../../src/runs/index.ts';
import { data } from './replies.ts';

test('a command that would make the record outgrow one message is refused as too large; the run goes on', async (t) => {
  const h = await createHarness({ name: 'runs-record-size' });
  t.after(() => h.close());
  const run = data(await requestRuns<Run>(h.bus, 'create', { body: { experiment: 'big-tunes', version: '1' }, by: 'test' }));
  data(await requestRuns<Run>(h.bus, 'heartbeat', { id: run.id, body: { step: 1, checkpointVersion: 0 } }));

  // Each tune carries ~60 KB of params, under the 64 KiB a request may have; nobody fetches them.
  const blob = 'x'.repeat(60_000);
  let accepted = 0;
  let refusal: RunReply<RunCommandResult> | null = null;
  for (let i = 0; i < 40 && refusal === null; i++) {
    const reply = await requestRuns<RunCommandResult>(h.bus, 'command', { id: run.id, body: { id: `big-${i}`, type: 'tune', params: { blob } }, by: 'test' });
    if (reply.ok) accepted++;
    else refusal = reply;
  }
  assert.ok(refusal !== null && !refusal.ok, `${accepted} tunes of 60 KB were all taken`);
  assert.equal(refusal.code, 'too_large');
  assert.match(refusal.message, new RegExp(`^run ${run.id}: its ${accepted} unacknowledged commands hold \\d+ KiB and this one 59 KiB, more than the 512 KiB of commands a run keeps: let the job fetch and acknowledge them`));
  assert.equal(accepted, Math.floor(RUN_COMMANDS_BYTES / 60_100), 'as many tunes as fit in the bytes a run keeps');

  // The run still takes heartbeats, and every accepted command is still there to deliver.
  const beat = data(await requestRuns<Run>(h.bus, 'heartbeat', { id: run.id, body: { step: 2, checkpointVersion: 0 } }));
  assert.equal(beat.step, 2);
  const stored = data(await requestRuns<Run>(h.bus, 'get', { id: run.id }));
  assert.equal(stored.commands.filter((c) => c.acknowledgedAt === null).length, accepted);

  // Once the job has fetched and acknowledged them, tunes are taken again, as many as before.
  for (let i = 0; i < accepted; i++) {
    const next = data(await requestRuns<{ id: string } | null>(h.bus, 'next', { id: run.id }));
    assert.ok(next !== null);
    data(await requestRuns(h.bus, 'ack', { id: run.id, commandId: next.id }));
  }
  for (let i = 0; i < accepted; i++) {
    const again = await requestRuns<RunCommandResult>(h.bus, 'command', { id: run.id, body: { id: `again-${i}`, type: 'tune', params: { blob } }, by: 'test' });
    assert.equal(again.ok, true, again.ok ? '' : again.message);
  }
  const kept = data(await requestRuns<Run>(h.bus, 'get', { id: run.id }));
  assert.ok(kept.commands.every((c) => c.id.startsWith('again-')), 'the acknowledged tunes made room');
});

test('a record that would outgrow one message anyway (tunes merging ever more params) is refused with its size; the run goes on', async (t) => {
  const h = await createHarness({ name: 'runs-record-params' });
  t.after(() => h.close());
  const run = data(await requestRuns<Run>(h.bus, 'create', { body: { experiment: 'wide-params', version: '1' }, by: 'test' }));
  const blob = 'y'.repeat(60_000);
  let refusal: RunReply<unknown> | null = null;
  let merged = 0;
  // Each tune names a new parameter, and its ack merges it into the run's params.
  for (let i = 0; i < 40 && refusal === null; i++) {
    data(await requestRuns<RunCommandResult>(h.bus, 'command', { id: run.id, body: { id: `p-${i}`, type: 'tune', params: { [`p${i}`]: blob } }, by: 'test' }));
    data(await requestRuns(h.bus, 'next', { id: run.id }));
    const ack = await requestRuns(h.bus, 'ack', { id: run.id, commandId: `p-${i}` });
    if (ack.ok) merged++;
    else refusal = ack;
  }
  assert.ok(refusal !== null && !refusal.ok, `${merged} parameters of 60 KB were all merged`);
  assert.equal(refusal.code, 'too_large');
  assert.match(refusal.message, new RegExp(`^run ${run.id}: its record would be \\d+ KiB, more than the 1023 KiB one message of the run bucket may carry`));
  const beat = data(await requestRuns<Run>(h.bus, 'heartbeat', { id: run.id, body: { step: 5, checkpointVersion: 0 } }));
  assert.equal(beat.step, 5);
  assert.equal(Object.keys(beat.params).length, merged);
});
