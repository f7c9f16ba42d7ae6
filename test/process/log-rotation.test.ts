import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogSink, spawnService, tailLog } from '../../src/process/index.ts';
import type { LogMetadata } from '../../src/process/index.ts';
import { cleanupGroup, fixture, nodePlan, tempDir } from './support.ts';

const MAX = 32 * 1024;
const KEEP = 2;
const INTERVAL = 40;

test('a process printing without pause: at most keep+1 files, each within maxBytes, whole lines, none lost', async (t) => {
  const dir = await tempDir(t);
  const metas: (LogMetadata & { at: number })[] = [];
  let reached: () => void = () => {};
  const enough = new Promise<void>((resolve) => (reached = resolve));
  const sink = createLogSink({
    service: 'flood',
    dir,
    maxBytes: MAX,
    keep: KEEP,
    metadataIntervalMs: INTERVAL,
    onMetadata: (m) => {
      metas.push({ ...m, at: performance.now() });
      // Wait for enough output to have rotated many times over.
      if (m.stream === 'stdout' && m.totalBytes > 20 * MAX) reached();
    },
  });
  const proc = await spawnService(nodePlan([fixture('flood.mjs')]), { onOutput: (s, c) => sink.write(s, c) });
  cleanupGroup(t, proc);
  await enough;
  await proc.stop('SIGTERM', 2000);
  sink.close();

  // Hidden files are the logs' time indexes (.flood.log.times), not logs.
  const files = readdirSync(dir).filter((f) => !f.startsWith('.')).sort();
  assert.deepEqual(files, ['flood.log', 'flood.log.1', 'flood.log.2']);
  let total = 0;
  for (const f of files) {
    const size = statSync(join(dir, f)).size;
    assert.ok(size <= MAX, `${f} is ${size} bytes, above ${MAX}`);
    total += size;
  }
  assert.ok(total <= (KEEP + 1) * MAX);

  // Oldest to newest, the kept files hold whole lines with consecutive numbers per stream.
  const text = [2, 1, 0].map((i) => readFileSync(join(dir, i === 0 ? 'flood.log' : `flood.log.${i}`), 'utf8')).join('');
  for (const i of [1, 2]) assert.ok(readFileSync(join(dir, `flood.log.${i}`), 'utf8').endsWith('\n'));
  const lines = text.split('\n').filter((l) => l !== '');
  const numbers = (prefix: string): number[] => lines.filter((l) => l.startsWith(prefix)).map((l) => Number(l.split(' ')[1]));
  for (const l of lines) assert.match(l, /^(out|err) \d+ x{60}$/);
  const outs = numbers('out ');
  assert.ok(outs.length > 100);
  outs.forEach((n, i) => i > 0 && assert.equal(n, (outs[i - 1] ?? 0) + 1));
  const errs = numbers('err ');
  errs.forEach((n, i) => i > 0 && assert.equal(n, (errs[i - 1] ?? 0) + 4));

  // tailLog reaches back into the rotated file when the live one is short.
  const live = readFileSync(join(dir, 'flood.log'), 'utf8').split('\n').filter((l) => l !== '').length;
  assert.deepEqual(tailLog(join(dir, 'flood.log'), live + 5), lines.slice(-(live + 5)));

  // Metadata: throttled per stream, sums match what was written, rotation reported.
  for (const stream of ['stdout', 'stderr'] as const) {
    const mine = metas.filter((m) => m.stream === stream);
    assert.ok(mine.length >= 2);
    for (let i = 1; i < mine.length - 1; i++) {
      const gap = (mine[i]?.at ?? 0) - (mine[i - 1]?.at ?? 0);
      assert.ok(gap >= INTERVAL - 2, `${stream} metadata ${gap.toFixed(1)}ms apart, interval ${INTERVAL}ms`);
    }
    const summed = mine.reduce((a, m) => a + m.bytes, 0);
    assert.equal(summed, mine.at(-1)?.totalBytes);
    assert.ok(mine.some((m) => m.rotated));
    assert.ok(mine.every((m) => m.file === join(dir, 'flood.log')));
  }
  const totalLines = metas.reduce((a, m) => a + m.lines, 0);
  assert.ok(metas.length * 10 < totalLines, `${metas.length} metadata calls for ${totalLines} lines`);
});

test('keep 0 truncates the live file instead of keeping rotated ones', async (t) => {
  const dir = await tempDir(t);
  const sink = createLogSink({ service: 's', dir, maxBytes: 100, keep: 0, metadataIntervalMs: 1000 });
  for (let i = 0; i < 50; i++) sink.write('stdout', `line ${i} ${'y'.repeat(20)}\n`);
  sink.close();
  assert.deepEqual(readdirSync(dir).filter((f) => !f.startsWith('.')), ['s.log']);
  assert.ok(statSync(join(dir, 's.log')).size <= 100);
  assert.equal(tailLog(join(dir, 's.log'), 1)[0], `line 49 ${'y'.repeat(20)}`);
});

test('a line longer than maxBytes is split across files rather than overflowing one', async (t) => {
  const dir = await tempDir(t);
  const sink = createLogSink({ service: 's', dir, maxBytes: 100, keep: 5, metadataIntervalMs: 1000 });
  sink.write('stdout', `${'z'.repeat(250)}\nshort\n`);
  sink.close();
  for (const f of readdirSync(dir).filter((f) => !f.startsWith('.'))) assert.ok(statSync(join(dir, f)).size <= 100, f);
  assert.deepEqual(tailLog(join(dir, 's.log'), 2), ['z'.repeat(250), 'short']);
});

test('a restarted service appends to its log and rotates by the size already on disk', async (t) => {
  const dir = await tempDir(t);
  const first = createLogSink({ service: 's', dir, maxBytes: 64, keep: 1, metadataIntervalMs: 1000 });
  first.write('stdout', 'a'.repeat(39) + '\n');
  first.close();
  const second = createLogSink({ service: 's', dir, maxBytes: 64, keep: 1, metadataIntervalMs: 1000 });
  second.write('stdout', 'b'.repeat(39) + '\n');
  second.close();
  assert.equal(readFileSync(join(dir, 's.log.1'), 'utf8'), 'a'.repeat(39) + '\n');
  assert.equal(readFileSync(join(dir, 's.log'), 'utf8'), 'b'.repeat(39) + '\n');
});

test('a partial line is written once its stream stays quiet, and the rest of the line follows it', async (t) => {
  const dir = await tempDir(t);
  const sink = createLogSink({ service: 'p', dir, maxBytes: 1 << 20, keep: 1, metadataIntervalMs: 1000 });
  t.after(() => sink.close());
  const file = join(dir, 'p.log');
  // A prompt, in two pieces: it must reach the file without waiting for a newline.
  sink.write('stdout', 'Pass');
  sink.write('stdout', 'word: ');
  sink.write('stderr', 'warn\n');
  assert.equal(readFileSync(file, 'utf8'), 'warn\n', 'the partial line is held while it may still grow');
  // The sink's timers are unref'd; this one keeps the test alive while it waits.
  const alive = setInterval(() => {}, 1000);
  t.after(() => clearInterval(alive));
  for (let i = 0; i < 100 && readFileSync(file, 'utf8') === 'warn\n'; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(readFileSync(file, 'utf8'), 'warn\nPassword: ');
  sink.write('stdout', 'ok\n');
  assert.equal(readFileSync(file, 'utf8'), 'warn\nPassword: ok\n');
});
