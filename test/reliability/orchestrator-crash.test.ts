// kill -9 of a running `nestor up`: its guardian stops the services and the nats-server at
// once, and the next `nestor up` in the same project reports the crash as an event and brings
// every service back, with no leftover, no duplicate and no port conflict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDeps } from '../../src/dep/index.ts';
import { alive } from '../supervision/support.ts';
import { startUp, tempProject } from './support.ts';

const root = join(import.meta.dirname, '..', '..');

async function gone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function readyPids(lines: string[]): number[] {
  return lines.flatMap((l) => {
    const m = /→ ready \(pid (\d+)/.exec(l);
    return m ? [Number(m[1])] : [];
  });
}

test('after kill -9 of nestor up nothing of it keeps running, and the next up recovers', async (t) => {
  await ensureDeps([{ name: 'alpha', source: 'local', entry: 'demo/alpha/main.ts' }], { projectDir: root });
  const project = await tempProject(2);
  t.after(() => project.remove());

  const first = startUp(project.dir);
  t.after(() => void (first.child.exitCode === null && first.child.kill('SIGKILL')));
  await first.waitForLine(/stack settled/);
  const services = readyPids(first.lines);
  assert.equal(services.length, 2);
  const natsPid = Number(readFileSync(join(project.dir, '.data', 'nats', 'nats-server.pid'), 'utf8'));
  assert.ok(alive(natsPid));

  process.kill(first.child.pid as number, 'SIGKILL');
  await first.exited;
  assert.deepEqual(await gone([...services, natsPid], 10_000), [], 'the guardian stopped every service and the broker');

  const second = startUp(project.dir);
  t.after(async () => {
    if (second.child.exitCode === null) {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
  await second.waitForLine(/previous run crashed; its guardian stopped alpha\d \(pid \d+\), alpha\d \(pid \d+\)/);
  await second.waitForLine(/stack settled/);
  const again = readyPids(second.lines);
  assert.equal(again.length, 2);
  assert.ok(again.every((pid) => !services.includes(pid)));
  assert.equal(second.lines.some((l) => /port.conflict|start.failed/.test(l)), false);
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
  assert.deepEqual(await gone(again, 5000), []);
});
