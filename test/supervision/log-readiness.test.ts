// Readiness from a log line, with real processes through a real node: the service is ready when
// the line is printed (gated by a file the test controls, never by sleeps), a line that never
// comes fails the probe at its deadline and goes through the restart policy, and a liveness
// probe takes over after a log readiness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness } from '../../src/harness/index.ts';
import { fastRestarts } from './support.ts';

async function gateDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-logready-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// Prints some noise at once, then "listening on" once the gate file exists, then stays up.
const GATED = `
const { existsSync } = require('node:fs');
console.log('booting');
console.error('warming caches');
const t = setInterval(() => {
  if (!existsSync(process.argv[1])) return;
  clearInterval(t);
  console.log('server listening on 127.0.0.1:' + (process.env.NESTOR_PORT ?? 0));
  setInterval(() => {}, 1000);
}, 20);
`;

function service(script: string, args: string[], over: Record<string, unknown> = {}): Record<string, unknown> {
  return { process: { command: process.execPath, args: ['-e', script, ...args] }, ...over };
}

test('a log readiness probe makes the service ready only when the line is printed', async (t) => {
  const gate = join(await gateDir(t), 'go');
  await using h = await createHarness({
    name: 'log-ready',
    specs: { web: service(GATED, [gate], { health: { type: 'log', pattern: 'listening on \\S+:\\d+', timeout: '60s' } }) },
  });
  await h.waitForState('web', 'running');
  // The noise on both streams has reached the log file: the service is still not ready.
  await h.waitForEvent('orchestrator.service.log', (e) => e.data.service === 'web');
  assert.equal(h.service('web').state, 'running');
  await writeFile(gate, '');
  const ready = await h.waitForEvent('orchestrator.service.ready');
  assert.equal(ready.data.probe, 'log');
  assert.match(ready.data.line ?? '', /^server listening on 127\.0\.0\.1:\d+$/);
  assert.equal(h.service('web').health.readiness, 'passing');
  const text = await h.cli(['events', '--type', 'service.ready']);
  assert.match(text.stdout, /\(log\): server listening on/);
});

test('a log probe watching stderr ignores the line on stdout', async (t) => {
  const gate = join(await gateDir(t), 'go');
  await using h = await createHarness({
    name: 'log-stream',
    specs: {
      out: service(GATED, [gate], { health: { type: 'log', pattern: 'listening on', stream: 'stderr', timeout: '60s' }, logging: { metadataInterval: '100ms' } }),
      err: service(GATED, [gate], { health: { type: 'log', pattern: 'warming', stream: 'stderr', timeout: '60s' } }),
    },
  });
  const ready = await h.waitForEvent('orchestrator.service.ready', (e) => e.data.service === 'err');
  assert.equal(ready.data.line, 'warming caches');
  await writeFile(gate, '');
  await h.waitForEvent('orchestrator.service.log', (e) => e.data.service === 'out' && e.data.stream === 'stdout' && e.data.totalBytes > 'booting\n'.length);
  assert.equal(h.service('out').state, 'running');
});

test('a line that never comes fails readiness at the deadline and follows the restart policy', async (t) => {
  const gate = join(await gateDir(t), 'never');
  await using h = await createHarness({
    name: 'log-timeout',
    specs: {
      mute: service(GATED, [gate], { ...fastRestarts, maxRestarts: 1, health: { type: 'log', pattern: 'listening on', timeout: '300ms' } }),
    },
  });
  const start = await h.waitForEvent('orchestrator.service.start');
  const failing = await h.waitForEvent('orchestrator.service.health', (e) => e.data.probe === 'readiness' && e.data.status === 'failing');
  assert.match(failing.data.detail ?? '', /no output line matched \/listening on\/ within \d+ms/);
  const stop = await h.waitForEvent('orchestrator.service.stop', (e) => e.data.reason === 'readiness');
  assert.equal(stop.data.pid, start.data.pid);
  const scheduled = await h.waitForEvent('orchestrator.service.restart.scheduled');
  assert.equal(scheduled.data.reason, 'readiness log line not seen');
  const exhausted = await h.waitForEvent('orchestrator.service.retries.exhausted', undefined, { timeoutMs: 20_000 });
  assert.deepEqual(exhausted.data, { service: 'mute', attempts: 1, maxRestarts: 1 });
  assert.equal(h.events().filter((e) => e.type === 'orchestrator.service.start').length, 2);
  assert.equal(h.service('mute').state, 'failed');
  assert.equal(h.events().some((e) => e.type === 'orchestrator.service.ready'), false);
});

test('a log readiness probe hands over to a liveness probe', async (t) => {
  const dir = await gateDir(t);
  const gate = join(dir, 'go');
  const alive = join(dir, 'alive');
  await writeFile(alive, '');
  const liveness = { type: 'exec', command: ['test', '-f', alive], interval: '100ms', timeout: '500ms', failureThreshold: 2 };
  await using h = await createHarness({
    name: 'log-liveness',
    specs: { web: service(GATED, [gate], { ...fastRestarts, health: { type: 'log', pattern: 'listening on', timeout: '60s' }, liveness }) },
  });
  await h.waitForState('web', 'running');
  await writeFile(gate, '');
  const ready = await h.waitForEvent('orchestrator.service.ready');
  assert.equal(ready.data.probe, 'log');
  await h.waitForEvent('orchestrator.service.health', (e) => e.data.probe === 'liveness' && e.data.status === 'passing');
  await rm(alive);
  const stop = await h.waitForEvent('orchestrator.service.stop', (e) => e.data.reason === 'liveness');
  assert.equal(stop.data.pid, ready.data.pid);
  const scheduled = await h.waitForEvent('orchestrator.service.restart.scheduled');
  assert.equal(scheduled.data.reason, 'liveness probe failed');
  // The gate is still there: the next process prints its line at once and is ready again.
  await writeFile(alive, '');
  const again = await h.waitForEvent('orchestrator.service.ready', (e) => e.seq > scheduled.seq);
  assert.notEqual(again.data.pid, ready.data.pid);
  assert.equal(again.data.probe, 'log');
});
