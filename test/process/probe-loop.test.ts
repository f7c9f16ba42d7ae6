import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { startProbeLoop, waitReady } from '../../src/process/index.ts';
import type { ProbeLoopStatus, ProbeResult } from '../../src/process/index.ts';
import { probe } from './support.ts';

/** An HTTP endpoint answering from a script of statuses; once the script runs out it repeats `then`. */
async function scripted(t: TestContext, script: number[], then: () => number): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(script.shift() ?? then()).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, hits: () => hits };
}

interface Change {
  status: ProbeLoopStatus;
  failures: number;
  attempt: number;
}

/** Runs a loop, recording changes and the attempt number at which each happened. */
function record(t: TestContext, url: string, failureThreshold: number) {
  const changes: Change[] = [];
  const results: { ok: boolean; failures: number }[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const loop = startProbeLoop(probe({ endpoint: url, failureThreshold }), {
    onResult: (r: ProbeResult, failures: number) => results.push({ ok: r.ok, failures }),
    onChange: (status, _r, failures) => {
      changes.push({ status, failures, attempt: results.length });
      for (const w of waiters.filter((x) => changes.length >= x.n)) w.resolve();
    },
  });
  t.after(() => loop.stop());
  const changeCount = (n: number): Promise<void> =>
    changes.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }));
  return { loop, changes, results, changeCount };
}

test('failing is reported only after failureThreshold consecutive failures; passing on the first success', async (t) => {
  // pass, fail x2 (below threshold), pass, fail x3 (threshold), fail, pass
  const { url } = await scripted(t, [200, 500, 500, 200, 500, 500, 500, 500], () => 200);
  const { changes, results, changeCount, loop } = record(t, url, 3);
  await changeCount(3);
  loop.stop();
  assert.deepEqual(changes, [
    { status: 'passing', failures: 0, attempt: 1 },
    { status: 'failing', failures: 3, attempt: 7 },
    { status: 'passing', failures: 0, attempt: 9 },
  ]);
  assert.deepEqual(
    results.slice(0, 9).map((r) => r.failures),
    [0, 1, 2, 0, 1, 2, 3, 4, 0],
  );
});

test('a probe that fails from the start reports failing once, never passing', async (t) => {
  const { url, hits } = await scripted(t, [], () => 503);
  const { changes, results, changeCount, loop } = record(t, url, 2);
  await changeCount(1);
  // Let a few more attempts happen: the status must not be reported again.
  while (results.length < 6) await new Promise((r) => setImmediate(r));
  loop.stop();
  assert.deepEqual(changes, [{ status: 'failing', failures: 2, attempt: 2 }]);
  const after = hits();
  assert.ok(after >= 6);
});

test('stop ends the loop: no further attempts and no callbacks', async (t) => {
  const { url, hits } = await scripted(t, [], () => 200);
  const { changes, changeCount, loop } = record(t, url, 1);
  await changeCount(1);
  loop.stop();
  const seen = hits();
  // A second loop on the same endpoint proves time passed and attempts would have happened.
  const other = record(t, url, 1);
  await other.changeCount(1);
  while (other.results.length < 3) await new Promise((r) => setImmediate(r));
  other.loop.stop();
  assert.ok(hits() - seen >= 3);
  assert.equal(changes.length, 1);
  assert.ok(hits() - seen <= other.results.length + 1, 'at most one attempt of the stopped loop was in flight');
});

test('waitReady resolves on the first success and reports each attempt', async (t) => {
  const { url } = await scripted(t, [500, 500, 500], () => 200);
  const attempts: [number, boolean][] = [];
  const result = await waitReady(probe({ endpoint: url }), { onResult: (r, n) => attempts.push([n, r.ok]) });
  assert.equal(result.ok, true);
  assert.deepEqual(attempts, [
    [1, false],
    [2, false],
    [3, false],
    [4, true],
  ]);
});

test('waitReady rejects with the abort reason', async (t) => {
  const { url } = await scripted(t, [], () => 500);
  const ac = new AbortController();
  const reason = new Error('start timeout');
  const waiting = waitReady(probe({ endpoint: url }), { signal: ac.signal, onResult: (_r, n) => n === 2 && ac.abort(reason) });
  await assert.rejects(waiting, (err) => err === reason);
  await assert.rejects(waitReady(probe({ endpoint: url }), { signal: AbortSignal.abort(reason) }), (err) => err === reason);
});
