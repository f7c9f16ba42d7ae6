// limits.memory with a real process through a real node: a service that allocates past its
// limit is stopped and restarted through its restart policy, with an event naming the limit,
// the measured memory and the pid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from '../../src/harness/index.ts';
import { fastRestarts } from './support.ts';

const MiB = 1024 ** 2;

// Allocates and touches ~150MB (fill makes the pages resident), then stays up holding it.
const HOG = `
const keep = [];
for (let i = 0; i < 15; i++) keep.push(Buffer.alloc(10 * 1024 * 1024).fill(i + 1));
console.log('holding ' + keep.length * 10 + 'MB');
setInterval(() => keep.length, 1000);
`;

test('a service above limits.memory is restarted with an event carrying limit, value and pid', async () => {
  await using h = await createHarness({
    name: 'memory-limit',
    specs: {
      hog: { process: { command: process.execPath, args: ['-e', HOG] }, limits: { memory: '80MB' }, ...fastRestarts, maxRestarts: 1 },
      calm: { process: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] }, limits: { memory: '80MB' } },
    },
  });
  const start = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'hog');
  const exceeded = await h.waitForEvent('orchestrator.service.memory.exceeded', undefined, { timeoutMs: 20_000 });
  assert.equal(exceeded.data.service, 'hog');
  assert.equal(exceeded.data.pid, start.data.pid);
  assert.equal(exceeded.data.limitBytes, 80 * MiB);
  assert.ok(exceeded.data.rssBytes > 80 * MiB, `measured ${exceeded.data.rssBytes} bytes`);
  const stop = await h.waitForEvent('orchestrator.service.stop', (e) => e.data.service === 'hog' && e.data.reason === 'memory');
  assert.equal(stop.data.pid, start.data.pid);
  const scheduled = await h.waitForEvent('orchestrator.service.restart.scheduled', (e) => e.data.service === 'hog');
  assert.equal(scheduled.data.reason, 'memory limit exceeded');
  const restarted = await h.waitForEvent('orchestrator.service.start', (e) => e.data.service === 'hog' && e.seq > scheduled.seq);
  assert.notEqual(restarted.data.pid, start.data.pid);
  const feed = await h.cli(['events', '--type', 'service.memory.exceeded']);
  assert.match(feed.stdout, /pid \d+ uses \d+MiB, limit 80MiB/);
  // The service under its limit was left alone.
  assert.equal(h.events().some((e) => e.type === 'orchestrator.service.memory.exceeded' && e.data.service === 'calm'), false);
  assert.equal(h.service('calm').state, 'ready');
});
