// Service output goes to a rotated per-service file under the data dir, and the stream gets
// log metadata at a bounded rate, never one event per line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHarness } from '../../src/harness/index.ts';
import { demo } from './support.ts';

test('a chatty service rotates its log within bounds and publishes throttled log events', async () => {
  await using h = await createHarness({
    name: 'log-rotation',
    specs: { alpha: demo('alpha', { args: ['--chatty'], spec: { logging: { maxSize: '4KB', keep: 2, metadataInterval: '1s' } } }) },
  });
  const first = await h.waitForEvent('orchestrator.service.log', (e) => e.data.rotated);
  const later = await h.waitForEvent('orchestrator.service.log', (e) => e.seq > first.seq && e.data.rotated);
  const dir = join(h.dataDir, 'logs');
  const files = readdirSync(dir).filter((f) => f.startsWith('alpha.log')).sort();
  assert.deepEqual(files, ['alpha.log', 'alpha.log.1', 'alpha.log.2']);
  for (const f of files) assert.ok(statSync(join(dir, f)).size <= 4096, `${f} is within maxSize`);

  const logEvents = h.events().filter((e) => e.type === 'orchestrator.service.log' && e.data.stream === 'stdout');
  const lines = logEvents.reduce((n, e) => n + (e.type === 'orchestrator.service.log' ? e.data.lines : 0), 0);
  assert.ok(lines > logEvents.length * 5, `${lines} lines were reported in ${logEvents.length} events`);
  const gaps = logEvents.slice(1).map((e, i) => Date.parse(e.timestamp) - Date.parse((logEvents[i] as typeof e).timestamp));
  assert.ok(gaps.every((ms) => ms >= 900), `metadata events are at least ~1 s apart: ${gaps.join(', ')}`);
  assert.ok(later.data.totalBytes > first.data.totalBytes);
});
