import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogSink, followLog, tailLog } from '../../src/process/index.ts';
import { tempDir } from './support.ts';

/** Collects followed lines; count(n) resolves once n lines arrived (and fails loudly after 10 s). */
function collector(): { lines: string[]; onLine: (l: string) => void; count: (n: number) => Promise<void> } {
  const lines: string[] = [];
  let wanted: { n: number; resolve: () => void } | null = null;
  return {
    lines,
    onLine: (l) => {
      lines.push(l);
      if (wanted && lines.length >= wanted.n) wanted.resolve();
    },
    count: (n) =>
      lines.length >= n
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`expected ${n} lines, got ${JSON.stringify(lines)}`)), 10_000);
            wanted = {
              n,
              resolve: () => {
                clearTimeout(timer);
                resolve();
              },
            };
          }),
  };
}

test('tailLog returns the last lines, a partial last line included, walking into rotated files', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'x.log');
  writeFileSync(`${file}.2`, 'l1\nl2\n');
  writeFileSync(`${file}.1`, 'l3\nl4\n');
  writeFileSync(file, 'l5\nl6');
  assert.deepEqual(tailLog(file, 2), ['l5', 'l6']);
  assert.deepEqual(tailLog(file, 3), ['l4', 'l5', 'l6']);
  assert.deepEqual(tailLog(file, 100), ['l1', 'l2', 'l3', 'l4', 'l5', 'l6']);
  assert.deepEqual(tailLog(file, 0), []);
  assert.deepEqual(tailLog(join(dir, 'missing.log'), 5), []);
});

test('tailLog reads lines longer than its read block', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'long.log');
  const long = 'q'.repeat(200_000);
  writeFileSync(file, `first\n${long}\nlast\n`);
  assert.deepEqual(tailLog(file, 2), [long, 'last']);
  assert.deepEqual(tailLog(file, 3), ['first', long, 'last']);
});

test('followLog emits existing tail lines, then new lines, across rotations, without loss or repeats', async (t) => {
  const dir = await tempDir(t);
  const sink = createLogSink({ service: 'f', dir, maxBytes: 64, keep: 3, metadataIntervalMs: 1000 });
  t.after(() => sink.close());
  sink.write('stdout', 'old 1\nold 2\nold 3\npart');
  const c = collector();
  const file = join(dir, 'f.log');
  const stop = followLog(file, c.onLine, { lines: 2, pollMs: 20 });
  t.after(stop);
  assert.deepEqual(c.lines, ['old 2', 'old 3']);

  const expected = ['old 2', 'old 3', 'partial'];
  sink.write('stdout', 'ial\n');
  await c.count(expected.length);
  // Several rotations between two reads of the follower: the skipped files are read too.
  for (let i = 0; i < 30; i++) {
    const line = `new ${i} ${'n'.repeat(10)}`;
    expected.push(line);
    sink.write('stdout', `${line}\n`);
    if (i % 4 === 0) await c.count(expected.length);
  }
  await c.count(expected.length);
  assert.deepEqual(c.lines, expected);
  stop();
  sink.write('stdout', 'after stop\n');
  assert.equal(c.lines.at(-1), expected.at(-1));
});

test('followLog continues a partial last line instead of emitting it twice', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'p.log');
  writeFileSync(file, 'done\nhalf');
  const c = collector();
  const stop = followLog(file, c.onLine, { lines: 5, pollMs: 20 });
  t.after(stop);
  assert.deepEqual(c.lines, ['done']);
  appendFileSync(file, ' and the rest\n');
  await c.count(2);
  assert.deepEqual(c.lines, ['done', 'half and the rest']);
});

test('followLog waits for a file that does not exist yet', async (t) => {
  const dir = await tempDir(t);
  const c = collector();
  const stop = followLog(join(dir, 'later.log'), c.onLine, { pollMs: 20 });
  t.after(stop);
  const sink = createLogSink({ service: 'later', dir, maxBytes: 1000, keep: 1, metadataIntervalMs: 1000 });
  t.after(() => sink.close());
  sink.write('stderr', 'hello\n');
  await c.count(1);
  assert.deepEqual(c.lines, ['hello']);
});
