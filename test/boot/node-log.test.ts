// The node's own log: bootNode writes JSON lines to <dataDir>/nestor.log at config.logLevel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { nodeLogPath } from '../../src/boot/index.ts';
import { createHarness } from '../../src/harness/index.ts';
import type { LogLevel } from '../../src/log/index.ts';

interface LogLine {
  level: string;
  msg: string;
  time: string;
  pid: number;
}

/** Boots a node at `level` and returns its log lines, read before the harness removes the data dir. */
async function bootAndReadLog(level: LogLevel): Promise<{ lines: LogLine[]; afterShutdown: LogLine[] }> {
  const h = await createHarness({ name: `log-${level}`, flags: { logLevel: level } });
  const file = nodeLogPath(h.dataDir);
  let lines: LogLine[];
  let afterShutdown: LogLine[];
  try {
    lines = parse(await readFile(file, 'utf8'));
    await h.node.shutdown('test');
    afterShutdown = parse(await readFile(file, 'utf8'));
  } finally {
    await h.close();
  }
  return { lines, afterShutdown };
}

function parse(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as LogLine);
}

test('at debug, the boot writes parseable JSON lines with a level to <dataDir>/nestor.log', async () => {
  const { lines, afterShutdown } = await bootAndReadLog('debug');
  for (const line of lines) {
    assert.equal(typeof line.level, 'string');
    assert.equal(typeof line.msg, 'string');
    assert.ok(!Number.isNaN(Date.parse(line.time)), `time ${line.time} is a date`);
    assert.equal(line.pid, process.pid);
  }
  assert.ok(lines.some((l) => l.level === 'debug' && l.msg === 'booting'), 'the debug line with the settings');
  assert.ok(lines.some((l) => l.level === 'info' && /^node \S+ up/.test(l.msg)), 'the node-up note');
  assert.ok(afterShutdown.some((l) => l.level === 'info' && / down$/.test(l.msg)), 'the shutdown note');
});

test('at info, debug lines are left out', async () => {
  const { lines } = await bootAndReadLog('info');
  assert.ok(lines.some((l) => l.level === 'info'));
  assert.ok(!lines.some((l) => l.level === 'debug'));
});

test('at error, info lines are left out', async () => {
  const { lines, afterShutdown } = await bootAndReadLog('error');
  assert.deepEqual(
    afterShutdown.filter((l) => l.level !== 'error' && l.level !== 'fatal'),
    [],
  );
  assert.deepEqual(lines, []);
});
