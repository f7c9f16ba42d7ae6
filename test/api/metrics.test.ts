// GET /metrics: valid Prometheus text (a strict parser, and promtool when installed), every
// name prefixed nestor_ and following the conventions, and counters that move with a real
// crash and restart of a demo service.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Harness } from '../../src/harness/index.ts';
import { demoStack, liveReached, get, isAlive } from './helpers.ts';
import { parsePrometheusText, valueOf } from './prom-text.ts';
import type { Family } from './prom-text.ts';

let h: Harness;
let api: string;
before(async () => {
  h = await demoStack('api-metrics');
  api = h.node.api.url;
});
after(() => h.close());

async function scrape(): Promise<{ text: string; families: Map<string, Family> }> {
  const res = await get(`${api}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.type, /^text\/plain; version=0\.0\.4/);
  return { text: res.body, families: parsePrometheusText(res.body) };
}

const EXPECTED: [string, Family['type']][] = [
  ['nestor_events_published_total', 'counter'],
  ['nestor_events_consumed_total', 'counter'],
  ['nestor_events_skipped_total', 'counter'],
  ['nestor_state_ignored_transitions_total', 'counter'],
  ['nestor_service_restarts_total', 'counter'],
  ['nestor_service_exits_total', 'counter'],
  ['nestor_services', 'gauge'],
  ['nestor_service_time_to_ready_seconds', 'histogram'],
  ['nestor_probe_latency_seconds', 'histogram'],
  ['nestor_service_cpu_seconds_total', 'counter'],
  ['nestor_service_resident_memory_bytes', 'gauge'],
  ['nestor_consumer_lag_messages', 'gauge'],
  ['nestor_stream_last_sequence', 'gauge'],
  ['nestor_sse_clients', 'gauge'],
  ['nestor_sse_clients_dropped_total', 'counter'],
  ['nestor_broker_up', 'gauge'],
  ['nestor_broker_connections', 'gauge'],
  ['nestor_broker_in_messages_total', 'counter'],
  ['nestor_broker_out_messages_total', 'counter'],
  ['nestor_broker_in_bytes_total', 'counter'],
  ['nestor_broker_out_bytes_total', 'counter'],
  ['nestor_broker_jetstream_messages', 'gauge'],
  ['nestor_broker_jetstream_stored_bytes', 'gauge'],
  ['nestor_broker_jetstream_memory_bytes', 'gauge'],
  ['nestor_broker_jetstream_storage_bytes', 'gauge'],
  ['nestor_process_cpu_seconds_total', 'counter'],
];

test('the exposition parses strictly, and every family is named by the conventions', async () => {
  const { text, families } = await scrape();
  for (const [name, type] of EXPECTED) assert.equal(families.get(name)?.type, type, `${name} is a ${type}`);
  for (const f of families.values()) {
    assert.match(f.name, /^nestor_[a-z0-9_]+$/, `${f.name} has the nestor_ prefix`);
    assert.ok(f.help.length > 0, `${f.name} has help`);
    assert.equal(f.type === 'counter', f.name.endsWith('_total'), `${f.name}: counters, and only counters, end in _total`);
    if (f.type === 'histogram') assert.match(f.name, /_(seconds|bytes)$/, `${f.name} carries its unit`);
  }
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (promtool.error === undefined) assert.equal(promtool.status, 0, `promtool check metrics:\n${promtool.stdout}${promtool.stderr}`);
});

test('state, broker and per-service figures are there', async () => {
  const { families } = await scrape();
  assert.equal(valueOf(families, 'nestor_services', { state: 'ready' }), 2);
  assert.equal(valueOf(families, 'nestor_services', { state: 'failed' }), 0);
  assert.equal(valueOf(families, 'nestor_broker_up'), 1);
  assert.ok((valueOf(families, 'nestor_broker_connections') ?? 0) >= 1);
  assert.ok((valueOf(families, 'nestor_broker_jetstream_messages') ?? 0) > 0);
  assert.ok((valueOf(families, 'nestor_service_resident_memory_bytes', { service: 'alpha' }) ?? 0) > 1_000_000);
  assert.ok((valueOf(families, 'nestor_service_cpu_seconds_total', { service: 'alpha' }) ?? -1) >= 0);
  assert.equal(valueOf(families, 'nestor_service_time_to_ready_seconds_count', { service: 'alpha' }), 1);
  assert.ok((valueOf(families, 'nestor_events_published_total', { type: 'orchestrator.service.start' }) ?? 0) >= 2);
  assert.ok((valueOf(families, 'nestor_consumer_lag_messages') ?? -1) >= 0);
});

test('restart and exit counters move with a real crash (SIGKILL) and restart', async () => {
  const before = (await scrape()).families;
  const restarts0 = valueOf(before, 'nestor_service_restarts_total', { service: 'alpha' }) ?? 0;
  const crashes0 = valueOf(before, 'nestor_service_exits_total', { service: 'alpha', expected: 'false' }) ?? 0;
  const pid = h.service('alpha').pid as number;
  const since = h.lastSeq();
  process.kill(pid, 'SIGKILL');
  const exit = await h.waitForEvent('orchestrator.service.exit', (e) => e.data.service === 'alpha', { since });
  assert.equal(exit.data.signal, 'SIGKILL');
  const started = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'alpha', { since: exit.seq, timeoutMs: 15_000 });
  await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'alpha', { since: started.seq, timeoutMs: 15_000 });
  assert.ok(await isAlive(started.data.pid));

  // The API's own live state may trail the harness's recorder by a moment.
  await liveReached(h.node.api, h.lastSeq());
  const after = (await scrape()).families;
  assert.equal(valueOf(after, 'nestor_service_restarts_total', { service: 'alpha' }), restarts0 + 1);
  assert.equal(valueOf(after, 'nestor_service_exits_total', { service: 'alpha', expected: 'false' }), crashes0 + 1);
  assert.equal(valueOf(after, 'nestor_service_time_to_ready_seconds_count', { service: 'alpha' }), 2);
  assert.equal(valueOf(after, 'nestor_services', { state: 'ready' }), 2);
});
