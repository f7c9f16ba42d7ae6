// The test flags of the demo services, each of which provokes one lifecycle path of the
// runner: failed start, crash, gated or slow readiness, one-shot exit codes, log volume,
// a process that ignores SIGTERM and leaves a grandchild in its group.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemos, freePort, get, isAlive, processGroup, removeDir, startDemo, startServer, until } from './helpers.ts';

let bins: { alpha: string; beta: string; depDir: string };
before(async () => {
  bins = await buildDemos();
});
after(async () => {
  await removeDir(bins.depDir);
});

describe('start and exit', () => {
  test('--fail-at-start exits 3 with a message on stderr', async (t) => {
    const alpha = startDemo(t, bins.alpha, ['--fail-at-start']);
    assert.deepEqual(await alpha.exited, { code: 3, signal: null });
    assert.match(alpha.stderr.join('\n'), /alpha: failing at start as asked \(--fail-at-start\)/);
  });

  test('DEMO_FAIL_AT_START=1 does the same for beta', async (t) => {
    const beta = startDemo(t, bins.beta, [], { DEMO_FAIL_AT_START: '1' });
    assert.equal((await beta.exited).code, 3);
    assert.match(beta.stderr.join('\n'), /beta: failing at start/);
  });

  test('--crash-after exits 1 after serving, or with --exit-code', async (t) => {
    const alpha = await startServer(t, bins.alpha, ['--port', String(await freePort()), '--crash-after', '100']);
    assert.deepEqual(await alpha.exited, { code: 1, signal: null });
    assert.match(alpha.stderr.join('\n'), /crashing after 100ms/);
    const beta = startDemo(t, bins.beta, ['--port', String(await freePort()), '--crash-after', '50', '--exit-code', '4']);
    assert.equal((await beta.exited).code, 4);
  });

  test('--oneshot does its work, prints and exits 0, or with --exit-code / DEMO_EXIT_CODE', async (t) => {
    const ok = startDemo(t, bins.alpha, ['--oneshot']);
    assert.deepEqual(await ok.exited, { code: 0, signal: null });
    assert.match(ok.stdout.join('\n'), /^alpha oneshot: 10000 sha256 rounds -> [0-9a-f]{16}, exit 0$/m);
    const seven = startDemo(t, bins.alpha, ['--oneshot', '--exit-code', '7']);
    assert.equal((await seven.exited).code, 7);
    const five = startDemo(t, bins.beta, [], { DEMO_ONESHOT: '1', DEMO_EXIT_CODE: '5' });
    assert.equal((await five.exited).code, 5);
    assert.match(five.stdout.join('\n'), /beta oneshot: .* exit 5/);
  });

  test('a port already in use exits 1 with the address in the message', async (t) => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    t.after(() => holder.close());
    const port = (holder.address() as AddressInfo).port;
    const alpha = startDemo(t, bins.alpha, ['--port', String(port)]);
    assert.equal((await alpha.exited).code, 1);
    assert.match(alpha.stderr.join('\n'), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE`));
  });

  test('--help prints the usage and exits 0; an unknown flag exits 2', async (t) => {
    const help = startDemo(t, bins.beta, ['--help']);
    assert.equal((await help.exited).code, 0);
    const usage = help.stdout.join('\n');
    assert.match(usage, /^Usage: beta \[options\]/);
    assert.match(usage, /--alpha-url <url>/);
    assert.match(usage, /--ready-file <path> .*\(env DEMO_READY_FILE\)/);
    const bad = startDemo(t, bins.alpha, ['--bogus']);
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.stderr.join('\n'), /unknown flag --bogus/);
    const badNumber = startDemo(t, bins.alpha, ['--crash-after', 'soon']);
    assert.equal((await badNumber.exited).code, 2);
  });
});

describe('readiness', () => {
  test('--ready-file keeps /health at 503 until the file exists', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'nestor-ready-'));
    t.after(() => removeDir(dir));
    const gate = join(dir, 'go');
    const port = await freePort();
    await startServer(t, bins.alpha, ['--port', String(port), '--ready-file', gate]);
    const before = await get(`http://127.0.0.1:${port}/health`);
    assert.equal(before.status, 503);
    assert.deepEqual(JSON.parse(before.body), { status: 'starting', waitingFor: [`ready-file ${gate}`] });
    await writeFile(gate, '');
    assert.equal((await get(`http://127.0.0.1:${port}/health`)).status, 200);
  });

  test('--slow-ready keeps /health at 503 for a while, then 200', async (t) => {
    const port = await freePort();
    await startServer(t, bins.alpha, ['--port', String(port), '--slow-ready', '2000']);
    assert.equal((await get(`http://127.0.0.1:${port}/health`)).status, 503);
    await until('alpha ready', async () => (await get(`http://127.0.0.1:${port}/health`)).status === 200);
  });
});

describe('output and signals', () => {
  test('--log-lines prints that many lines before listening', async (t) => {
    const alpha = await startServer(t, bins.alpha, ['--port', String(await freePort()), '--log-lines', '300']);
    const lines = alpha.stdout.filter((l) => /^alpha log line \d+ of 300$/.test(l));
    assert.equal(lines.length, 300);
    const listening = alpha.stdout.findIndex((l) => l.includes('listening on'));
    assert.ok(listening > alpha.stdout.indexOf('alpha log line 300 of 300'));
  });

  test('--chatty prints a line every tick until SIGTERM, then exits 0', async (t) => {
    const alpha = await startServer(t, bins.alpha, ['--port', String(await freePort()), '--chatty']);
    await alpha.waitForLine(/^alpha chatty tick 5$/);
    alpha.child.kill('SIGTERM');
    assert.deepEqual(await alpha.exited, { code: 0, signal: null });
  });

  test('--ignore-sigterm survives SIGTERM and leaves a grandchild in its group that only a group SIGKILL ends', async (t) => {
    const port = await freePort();
    const alpha = await startServer(t, bins.alpha, ['--port', String(port), '--ignore-sigterm']);
    const sleeper = Number(/sleeper=(\d+)/.exec(alpha.stdout.join('\n'))?.[1]);
    assert.ok(sleeper > 0, 'the startup line names the sleeper');
    assert.equal(await processGroup(sleeper), alpha.pid, 'the sleeper is in alpha’s process group');
    t.after(() => {
      try {
        process.kill(sleeper, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    });

    alpha.child.kill('SIGTERM');
    await alpha.waitForLine(/alpha: ignoring SIGTERM/);
    assert.equal((await get(`http://127.0.0.1:${port}/health`)).status, 200);
    process.kill(-alpha.pid, 'SIGTERM');
    assert.equal((await get(`http://127.0.0.1:${port}/health`)).status, 200, 'a group SIGTERM is ignored too');
    assert.equal(await isAlive(sleeper), true);

    process.kill(-alpha.pid, 'SIGKILL');
    assert.equal((await alpha.exited).signal, 'SIGKILL');
    await until('the sleeper to be gone', async () => !(await isAlive(sleeper)));
  });
});
