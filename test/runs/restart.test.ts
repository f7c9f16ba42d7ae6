// `nestor up` stopped and started again on the same data dir (embedded broker, file store): the
// run's record and its undelivered command are still there, and the job continues from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient } from '../../src/api/index.ts';
import { bootNode } from '../../src/boot/index.ts';
import { testConfig } from '../bus/helpers.ts';
import { runById } from '../../src/state/index.ts';

test('a run and its undelivered command survive a restart of the node on its data dir', async (t) => {
  // The data dir is removed by an after-hook that runs before any added later: the nodes are
  // shut down here, in finally blocks, before it goes.
  const config = await testConfig(t, { nats: { store: 'file' } }, 'runs-restart');
  const first = await bootNode({ config });
  let run;
  let before;
  try {
    const api1 = new ApiClient({ url: first.api.url });
    run = await api1.createRun({ experiment: 'train', version: 'v1', params: { lr: 0.1 }, heartbeatIntervalMs: 60_000 });
    await api1.runHeartbeat(run.id, { step: 500, checkpointVersion: 5, metrics: { loss: 0.2 } });
    await api1.sendRunCommand(run.id, { id: 'tune-later', type: 'tune', params: { lr: 0.05 } });
    before = await api1.run(run.id);
  } finally {
    await first.shutdown('restart');
  }

  const second = await bootNode({ config });
  try {
    const api2 = new ApiClient({ url: second.api.url });
    assert.deepEqual(await api2.run(run.id), before, 'the record is as it was');
    const next = await api2.nextRunCommand(run.id);
    assert.equal(next?.id, 'tune-later');
    assert.ok(next?.deliveredAt !== null);
    const after = await api2.runHeartbeat(run.id, { step: 501, checkpointVersion: 5 });
    assert.equal(after.state, 'running');
    assert.equal(after.step, 501, 'the job continues from its step');
    // The new node's reduced state was rebuilt from the stream: the run is there too.
    const state = await api2.state();
    assert.equal(runById(state.runs, run.id)?.experiment, 'train');
  } finally {
    await second.shutdown('test over');
  }
});
