// The sink's time index and logging.retention on real files: lines read back with the time and
// stream that wrote them across rotation, and old rotated files removed at start and at rotation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogSink, logFileOf, readTimedLog, tailLog } from '../../src/process/index.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'nestor-log-times-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('lines come back with the time and stream of their write, across rotation, oldest first', async (t) => {
  const dir = tempDir(t);
  const sink = createLogSink({ service: 'svc', dir, maxBytes: 64, keep: 3, metadataIntervalMs: 1000 });
  const before = Date.now();
  sink.write('stdout', 'first line\n');
  await sleep(30);
  const mid = Date.now();
  sink.write('stderr', 'an error line\n');
  // Enough to rotate three times: the index has to follow the files it describes.
  for (let i = 0; i < 8; i++) sink.write('stdout', `filler ${i} ${'x'.repeat(10)}\n`);
  sink.close();
  const file = logFileOf(dir, 'svc');
  assert.ok(existsSync(`${file}.1`), 'the log rotated');
  assert.deepEqual(readdirSync(dir).filter((f) => !f.startsWith('.')).sort(), ['svc.log', 'svc.log.1', 'svc.log.2', 'svc.log.3']);

  const lines = readTimedLog(file);
  assert.deepEqual(
    lines.map((l) => l.text),
    ['first line', 'an error line', ...Array.from({ length: 8 }, (_, i) => `filler ${i} ${'x'.repeat(10)}`)],
  );
  assert.deepEqual(lines.slice(0, 3).map((l) => l.stream), ['stdout', 'stderr', 'stdout']);
  assert.ok(lines[0] !== undefined && lines[0].time >= before && lines[0].time < mid, 'the first line has the time of its write');
  assert.ok(lines[1] !== undefined && lines[1].time >= mid, 'the second line was written after the pause');
  assert.deepEqual(readTimedLog(file, { lines: 2 }).map((l) => l.text), tailLog(file, 2));
  assert.deepEqual(readTimedLog(file, { sinceMs: mid }).map((l) => l.text)[0], 'an error line');
});

test('a log written before the index existed reads with the file time', (t) => {
  const dir = tempDir(t);
  const file = logFileOf(dir, 'old');
  writeFileSync(file, 'one\ntwo\n');
  const at = new Date('2026-01-02T03:04:05Z');
  utimesSync(file, at, at);
  assert.deepEqual(readTimedLog(file), [
    { time: at.getTime(), stream: 'stdout', text: 'one' },
    { time: at.getTime(), stream: 'stdout', text: 'two' },
  ]);
});

test('retention removes rotated files older than it at start and at rotation, and keeps newer ones', async (t) => {
  const dir = tempDir(t);
  const file = logFileOf(dir, 'svc');
  const old = new Date(Date.now() - 3 * 86_400_000);
  for (const k of [1, 2, 3]) writeFileSync(`${file}.${k}`, `rotated ${k}\n`);
  utimesSync(`${file}.2`, old, old);
  utimesSync(`${file}.3`, old, old);
  const sink = createLogSink({ service: 'svc', dir, maxBytes: 32, keep: 5, metadataIntervalMs: 1000, retentionMs: 86_400_000 });
  assert.deepEqual(readdirSync(dir).filter((f) => !f.startsWith('.')).sort(), ['svc.log', 'svc.log.1'], 'the two old files went at start');

  // Age the rotated file, then rotate: it moves to .2 and is removed as too old.
  utimesSync(`${file}.1`, old, old);
  sink.write('stdout', `${'y'.repeat(30)}\n`);
  sink.write('stdout', 'after rotation\n');
  sink.close();
  assert.deepEqual(readdirSync(dir).filter((f) => !f.startsWith('.')).sort(), ['svc.log', 'svc.log.1']);
  assert.deepEqual(tailLog(file, 10), [`${'y'.repeat(30)}`, 'after rotation']);
});
