// Service output goes to a rotated per-service file under the data dir, and the stream gets
// log metadata at a bounded rate, never one event per line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
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

test('a service printing 50,000 lines as fast as it can gets every line on disk and on the console, in order, across rotations', async () => {
  const count = 50_000;
  // Line-by-line writes, as a logger makes them, waiting for drain when asked to; a few lines on
  // stderr too, which share the file and must neither be lost nor split a stdout line.
  const script = `
    let i = 0;
    const more = () => {
      while (i < ${count}) {
        if (i % 10000 === 0) process.stderr.write('err ' + i + '\\n');
        const ok = process.stdout.write('line ' + i + ' ' + 'x'.repeat(40) + '\\n');
        i++;
        if (!ok) return process.stdout.once('drain', more);
      }
    };
    more();`;
  const shown: string[] = [];
  await using h = await createHarness({
    name: 'log-flood',
    console: { write: (lines) => shown.push(...lines.split('\n')), colour: false },
    specs: { flood: { kind: 'oneshot', process: { command: process.execPath, args: ['-e', script] }, logging: { maxSize: '1MB', keep: 5 } } },
  });
  await h.waitForState('flood', 'completed', { timeoutMs: 60_000 });

  const dir = join(h.dataDir, 'logs');
  const files = readdirSync(dir).filter((f) => f.startsWith('flood.log'));
  // About 2.8 MB of output in 1 MB files: it rotated, and nothing was dropped yet (keep 5).
  assert.deepEqual(files.sort(), ['flood.log', 'flood.log.1', 'flood.log.2']);
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    assert.ok(statSync(join(dir, f)).size <= 1024 * 1024, `${f} is within maxSize`);
    assert.ok(text.endsWith('\n'), `${f} holds whole lines`);
  }
  const onDisk = ['flood.log.2', 'flood.log.1', 'flood.log'].flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').slice(0, -1));
  const expected = Array.from({ length: count }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
  assert.deepEqual(onDisk.filter((l) => l.startsWith('line ')), expected, 'every stdout line on disk once, in order');
  assert.deepEqual(onDisk.filter((l) => !l.startsWith('line ')), ['err 0', 'err 10000', 'err 20000', 'err 30000', 'err 40000']);
  assert.deepEqual(shown.filter((l) => l.startsWith('flood | line ')), expected.map((l) => `flood | ${l}`), 'every line on the console, in order');
});
