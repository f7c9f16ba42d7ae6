import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LineSplitter, ROTATION_NOTICE_MS, colourFor, createLogSink } from '../../src/process/index.ts';
import type { LogMetadata } from '../../src/process/index.ts';
import { tempDir } from './support.ts';

test('console lines are prefixed with the padded service name and survive chunk boundaries', async (t) => {
  const dir = await tempDir(t);
  const out: string[] = [];
  const sink = createLogSink({
    service: 'api',
    dir,
    maxBytes: 1 << 20,
    keep: 1,
    metadataIntervalMs: 1000,
    console: { write: (l) => out.push(l), colour: false, width: 6 },
  });
  sink.write('stdout', 'hel');
  assert.deepEqual(out, [], 'a partial line waits for its end');
  sink.write('stdout', 'lo\nwor');
  sink.write('stderr', 'oops\r\n');
  sink.write('stdout', 'ld\n\n');
  // "é" is two bytes in UTF-8; split it across chunks.
  const e = Buffer.from('café\n');
  sink.write('stdout', e.subarray(0, 4));
  sink.write('stdout', e.subarray(4));
  sink.write('stderr', 'no newline at the end');
  sink.close();
  // What a terminal shows, line by line; the chunk that completed two lines gave one write.
  assert.deepEqual(out.join('\n').split('\n'), ['api    | hello', 'api    | oops', 'api    | world', 'api    | ', 'api    | café', 'api    | no newline at the end']);
  assert.equal(out[2], 'api    | world\napi    | ');
  // The file holds the raw bytes, each stream's lines kept whole.
  assert.equal(readFileSync(join(dir, 'api.log'), 'utf8'), 'hello\noops\r\nworld\n\ncafé\nno newline at the end');
});

test('colour prefixes use one stable ANSI colour per service', async (t) => {
  const dir = await tempDir(t);
  const out: string[] = [];
  const sink = createLogSink({ service: 'web', dir, maxBytes: 1 << 20, keep: 1, metadataIntervalMs: 1000, console: { write: (l) => out.push(l), colour: true } });
  sink.write('stdout', 'x\n');
  sink.close();
  assert.equal(out[0], `\u001b[${colourFor('web')}mweb |\u001b[0m x`);
  assert.equal(colourFor('web'), colourFor('web'));
});

test('LineSplitter cuts a newline-free flood into bounded pieces', () => {
  const s = new LineSplitter();
  const lines = s.push('a'.repeat(40_000));
  assert.ok(lines.length >= 2);
  for (const l of lines) assert.ok(l.length <= 16 * 1024);
  assert.equal(lines.join('') + (s.flush() ?? ''), 'a'.repeat(40_000));
});

test('metadata is emitted per stream, with a final flush on close', async (t) => {
  const dir = await tempDir(t);
  const metas: LogMetadata[] = [];
  const sink = createLogSink({ service: 's', dir, maxBytes: 1 << 20, keep: 1, metadataIntervalMs: 60_000, onMetadata: (m) => metas.push(m) });
  sink.write('stdout', 'one\n');
  sink.write('stdout', 'two\nthree\n');
  sink.write('stderr', 'err\n');
  // The first write of each stream reports at once; the rest waits for the interval or close.
  assert.deepEqual(
    metas.map((m) => [m.stream, m.bytes, m.lines]),
    [
      ['stdout', 4, 1],
      ['stderr', 4, 1],
    ],
  );
  sink.close();
  assert.deepEqual(
    metas.map((m) => [m.stream, m.bytes, m.lines, m.totalBytes, m.rotated]),
    [
      ['stdout', 4, 1, 4, false],
      ['stderr', 4, 1, 4, false],
      ['stdout', 10, 2, 14, false],
    ],
  );
  sink.close();
  assert.equal(metas.length, 3, 'close is idempotent');
});

test('with a long interval, a rotation is still reported within ROTATION_NOTICE_MS, and close reports the rest', async (t) => {
  const dir = await tempDir(t);
  const metas: (LogMetadata & { at: number })[] = [];
  let arrived: () => void = () => {};
  const sink = createLogSink({
    service: 's',
    dir,
    maxBytes: 100,
    keep: 1,
    metadataIntervalMs: 60_000,
    onMetadata: (m) => {
      metas.push({ ...m, at: performance.now() });
      arrived();
    },
  });
  sink.write('stdout', 'first\n');
  assert.equal(metas.length, 1, 'the first write reports at once');
  const next = new Promise<void>((resolve) => (arrived = resolve));
  // The sink's timers are unref'd (they never keep a node alive); this one keeps the test alive.
  const alive = setTimeout(() => {}, 5000);
  t.after(() => clearTimeout(alive));
  sink.write('stdout', `${'x'.repeat(120)}\n`);
  await next;
  const gap = (metas[1]?.at ?? 0) - (metas[0]?.at ?? 0);
  assert.ok(gap >= ROTATION_NOTICE_MS - 5 && gap < ROTATION_NOTICE_MS + 500, `rotation reported ${gap.toFixed(0)}ms after the first report`);
  assert.deepEqual([metas[1]?.bytes, metas[1]?.lines, metas[1]?.rotated], [121, 1, true]);
  sink.write('stdout', 'quiet\n');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(metas.length, 2, 'without a rotation the interval applies');
  sink.close();
  // stderr printed nothing, but the file they share rotated: its close report says so.
  assert.deepEqual(
    metas.map((m) => [m.stream, m.totalBytes, m.rotated]),
    [
      ['stdout', 6, false],
      ['stdout', 127, true],
      ['stdout', 133, false],
      ['stderr', 0, true],
    ],
  );
});
