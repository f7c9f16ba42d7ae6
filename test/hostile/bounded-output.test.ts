// Disk and stream use stay within their configured bounds under a service that prints without
// pause and a crash loop that emits events as fast as the controller can: log files never
// exceed maxSize and never number more than keep + 1; the event stream never holds more than
// events.maxMsgs messages or events.maxBytes bytes, and discards the oldest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHarness } from '../../src/harness/index.ts';
import { nodeService } from './support.ts';

const CHATTY = "setInterval(() => console.log('chatty ' + Date.now()), 5);";
const FLOOD = "const l = 'x'.repeat(99) + '\\n'; const w = () => { while (process.stdout.write(l)); process.stdout.once('drain', w); }; w();";

interface Watch {
  stop(): Promise<void>;
  worst: { files: number; size: number; checks: number };
}

/** Checks the log files of `service` every few ms until stopped; keeps the worst seen. */
function watchLogs(dir: string, service: string): Watch {
  const worst = { files: 0, size: 0, checks: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const files = readdirSafe(dir).filter((f) => f === `${service}.log` || f.startsWith(`${service}.log.`));
      worst.files = Math.max(worst.files, files.length);
      for (const f of files) worst.size = Math.max(worst.size, sizeOf(join(dir, f)));
      worst.checks++;
      await sleep(5);
    }
  })();
  return { worst, stop: () => ((running = false), loop) };
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // rotated away between readdir and stat
  }
}

test('a service printing without pause keeps its logs within maxSize × (keep + 1)', async (t) => {
  await using h = await createHarness({ name: 'log-flood', specs: { flood: nodeService(FLOOD, [], { logging: { maxSize: '16KB', keep: 2 } }) } });
  t.after(() => h.close());
  const watch = watchLogs(join(h.dataDir, 'logs'), 'flood');
  try {
    // Far more than the bound has gone through the sink: 64 times what the files may hold.
    await h.waitForEvent('orchestrator.service.log', (e) => e.data.service === 'flood' && e.data.totalBytes >= 64 * 3 * 16 * 1024, { timeoutMs: 30_000 });
  } finally {
    await watch.stop();
  }
  t.diagnostic(`log flood: ${JSON.stringify(watch.worst)}`);
  assert.ok(watch.worst.checks > 10);
  assert.ok(watch.worst.files <= 3, `at most keep + 1 files: ${watch.worst.files}`);
  assert.ok(watch.worst.size <= 16 * 1024, `no file above maxSize: ${watch.worst.size}`);
  assert.equal(h.service('flood').state, 'ready', 'the printer is still supervised');
  const rotations = h.events().filter((e) => e.type === 'orchestrator.service.log' && e.data.rotated).length;
  assert.ok(rotations > 0);
});

for (const limits of [
  { maxMsgs: 200, maxBytes: 1_000_000, binding: 'maxMsgs' },
  { maxMsgs: 100_000, maxBytes: 40_000, binding: 'maxBytes' },
]) {
  test(`the event stream stays within events.${limits.binding} under fast crash loops and a printer`, async (t) => {
    const { maxMsgs, maxBytes } = limits;
    const loop = { process: { command: '/bin/false' }, backoff: { initial: '1ms', multiplier: 1, max: '1ms' }, maxRestarts: 'unlimited' };
    await using h = await createHarness({
      name: 'stream-bounds',
      flags: { events: { maxMsgs, maxBytes } },
      specs: { loop, loop2: loop, chatty: nodeService(CHATTY) },
    });
    t.after(() => h.close());
    const info = async () => (await h.bus.jsm.streams.info(h.bus.streamName)).state;
    const worst = { messages: 0, bytes: 0 };
    // Enough events to fill the stream about one and a half times over.
    const target = limits.binding === 'maxMsgs' ? 1.5 * maxMsgs : Math.ceil((1.5 * maxBytes) / 300);
    const filled = { done: false, error: null as unknown };
    void h.waitUntil(`${target} events published`, () => h.lastSeq() >= target, { timeoutMs: 60_000 }).then(
      () => (filled.done = true),
      (error: unknown) => Object.assign(filled, { done: true, error }),
    );
    // The stream has no event for "a message was discarded": sample its state meanwhile.
    while (!filled.done) {
      const s = await info();
      worst.messages = Math.max(worst.messages, s.messages);
      worst.bytes = Math.max(worst.bytes, s.bytes);
      await sleep(20);
    }
    if (filled.error !== null) throw filled.error;
    const s = await info();
    t.diagnostic(`stream: seq ${s.first_seq}..${s.last_seq}, ${s.messages} messages, ${s.bytes} bytes; worst ${JSON.stringify(worst)}`);
    assert.ok(worst.messages <= maxMsgs && s.messages <= maxMsgs, `messages within ${maxMsgs}`);
    assert.ok(worst.bytes <= maxBytes && s.bytes <= maxBytes, `bytes within ${maxBytes}`);
    assert.ok(s.first_seq > 1, 'the oldest events were discarded');
    assert.equal(s.last_seq - s.first_seq + 1, s.messages, 'what is kept is the newest, without holes');
    // The node carries on: the loops keep being restarted, the printer is still up.
    const seq = h.lastSeq();
    await h.waitForEvent('orchestrator.service.restart.scheduled', (e) => e.data.service === 'loop', { since: seq });
    assert.equal(h.service('chatty').state, 'ready');
  });
}
