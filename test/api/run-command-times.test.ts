// The run latencies /metrics observes, read off the run events' timestamps: sent → delivered and
// delivered → acked per command type, gaps between heartbeats, each counted once, and nothing
// kept of a finished run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunCommandTimes } from '../../src/api/run-command-times.ts';
import type { NestorEvent, Stored } from '../../src/events/index.ts';

let seq = 0;
function ev(type: string, at: string, data: Record<string, unknown>): Stored<NestorEvent> {
  seq += 1;
  return { version: 1, id: `e${seq}`, seq, type, timestamp: `2026-01-01T10:00:${at}Z`, origin: { node: 'n1', component: 'runs' }, data } as unknown as Stored<NestorEvent>;
}

test('command delivery and ack latencies, once per command; heartbeat gaps', () => {
  const t = new RunCommandTimes();
  assert.deepEqual(t.observe(ev('orchestrator.run.command.sent', '00.000', { id: 'r1', command: { id: 'c1', type: 'pause', params: {}, requestedBy: 'cli' } })), []);
  assert.deepEqual(t.observe(ev('orchestrator.run.command.delivered', '00.250', { id: 'r1', commandId: 'c1' })), [{ kind: 'run-delivery', type: 'pause', value: 0.25 }]);
  // A second delivery stamp of the same command (a redelivery) is not a second latency.
  assert.deepEqual(t.observe(ev('orchestrator.run.command.delivered', '00.900', { id: 'r1', commandId: 'c1' })), []);
  assert.deepEqual(t.observe(ev('orchestrator.run.command.acked', '01.250', { id: 'r1', commandId: 'c1', type: 'pause', params: {} })), [{ kind: 'run-ack', type: 'pause', value: 1 }]);
  assert.deepEqual(t.observe(ev('orchestrator.run.command.acked', '01.500', { id: 'r1', commandId: 'c1', type: 'pause', params: {} })), []);
  // An ack of a command never seen sent (sent before this process started) counts nothing.
  assert.deepEqual(t.observe(ev('orchestrator.run.command.acked', '02.000', { id: 'r1', commandId: 'old', type: 'tune', params: {} })), []);

  const beat = (at: string) => ev('orchestrator.run.heartbeat', at, { id: 'r1', step: 1, checkpointVersion: 0, metrics: {}, runtimeStatus: '' });
  assert.deepEqual(t.observe(beat('03.000')), []);
  assert.deepEqual(t.observe(beat('05.500')), [{ kind: 'run-heartbeat-gap', type: '', value: 2.5 }]);
  // A finished run is forgotten: its next heartbeat (a new run reusing nothing) starts afresh.
  t.observe(ev('orchestrator.run.state', '06.000', { id: 'r1', from: 'running', to: 'succeeded', reason: 'finished' }));
  assert.deepEqual(t.observe(beat('07.000')), []);
  assert.deepEqual(t.observe(ev('orchestrator.service.ready', '08.000', { service: 'x' })), []);
});
