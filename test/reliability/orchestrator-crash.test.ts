// kill -9 of a running `nestor up`, ten times at seeded random moments (during startup, while
// ready, during shutdown): its guardian stops the services and the nats-server at once, and
// the next `nestor up` in the same project reports the crash as an event and brings every
// service back, with no leftover, no duplicate instance and no port conflict. The state goes
// on from the stream (file store): restart counters survive the crashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDeps } from '../../src/dep/index.ts';
import { alive, groupMembers } from '../supervision/support.ts';
import { startUp, tempProject } from './support.ts';
import type { UpProcess } from './support.ts';

const root = join(import.meta.dirname, '..', '..');
const SERVICES = 2;

async function gone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = pids.filter((pid) => alive(pid) || groupMembers(pid).length > 0);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every service pid an `up` reported starting, from its progress lines. */
function startedPids(up: UpProcess): number[] {
  return up.lines.flatMap((l) => {
    const m = /→ running \(pid (\d+)/.exec(l);
    return m ? [Number(m[1])] : [];
  });
}

/** A small seeded PRNG (mulberry32), so a failing sequence can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function statusJson(dir: string): { services: { id: string; state: string; pid: number | null; restarts: number; restartsTotal: number }[] } {
  const out = execFileSync(process.execPath, [join(root, 'bin', 'nestor.js'), 'status', '--json'], { cwd: dir, encoding: 'utf8' });
  return JSON.parse(out) as ReturnType<typeof statusJson>;
}

test('ten kill -9 rounds of nestor up at random moments leave nothing unsupervised, and up recovers each time', async (t) => {
  await ensureDeps([{ name: 'alpha', source: 'local', entry: 'demo/alpha/main.ts' }], { projectDir: root });
  const project = await tempProject(SERVICES);
  const seed = Number(process.env.NESTOR_CRASH_SEED ?? Date.now() % 100_000);
  const random = prng(seed);
  t.diagnostic(`seed ${seed} (NESTOR_CRASH_SEED=${seed} replays it)`);
  let current: UpProcess | null = null;
  t.after(async () => {
    if (current !== null && current.child.exitCode === null) {
      current.child.kill('SIGKILL');
      await current.exited;
    }
    await project.remove();
  });

  // A restart before the crashes, to check that counters survive them.
  current = startUp(project.dir);
  await current.waitForLine(/stack settled/);
  const victim = (await statusJson(project.dir)).services[0];
  assert.ok(victim?.pid);
  process.kill(victim.pid, 'SIGKILL');
  // Its replacement (another pid) must be ready before the crashes begin.
  await current.waitForLine(new RegExp(`${victim.id}\\s+running → ready \\(pid (?!${victim.pid}\\b)`), 20_000);

  for (let round = 1; round <= 10; round++) {
    const moment = (['startup', 'ready', 'shutdown'] as const)[Math.floor(random() * 3)] as 'startup' | 'ready' | 'shutdown';
    if (round > 1 || current === null) current = startUp(project.dir);
    const up: UpProcess = current;
    if (moment === 'startup') {
      await up.waitForLine(/registered \d+ service/);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 300)));
    } else {
      await up.waitForLine(/stack settled/);
      if (moment === 'shutdown') {
        up.child.kill('SIGTERM');
        await up.waitForLine(/stopping the stack/);
        await new Promise((r) => setTimeout(r, Math.floor(random() * 50)));
      }
    }
    const natsPidFile = join(project.dir, '.data', 'nats', 'nats-server.pid');
    const natsPid = existsSync(natsPidFile) ? Number(readFileSync(natsPidFile, 'utf8')) : null;
    if (up.child.exitCode === null) process.kill(up.child.pid as number, 'SIGKILL');
    await up.exited;
    const left = await gone([...startedPids(up), ...(natsPid === null ? [] : [natsPid])], 10_000);
    assert.deepEqual(left, [], `round ${round} (${moment}, seed ${seed}): nothing of the killed run survives`);
  }

  // The last run: everything ready, one instance each, no conflict, counters intact.
  current = startUp(project.dir);
  await current.waitForLine(/stack settled/);
  const status = statusJson(project.dir);
  assert.equal(status.services.length, SERVICES);
  assert.ok(status.services.every((s) => s.state === 'ready' && s.pid !== null && alive(s.pid)));
  assert.equal(new Set(status.services.map((s) => s.pid)).size, SERVICES);
  assert.equal(current.lines.some((l) => /conflict|start failed|failed/.test(l)), false, current.lines.join('\n'));
  assert.ok((status.services.find((s) => s.id === victim.id)?.restartsTotal ?? 0) >= 1, 'the restart total survived ten crashes');
  current.child.kill('SIGTERM');
  assert.equal(await current.exited, 0);
  assert.deepEqual(await gone(status.services.map((s) => s.pid as number), 5000), []);
});
