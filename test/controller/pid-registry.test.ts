import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PidRegistry } from '../../src/controller/index.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nestor-pids-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the registry file holds exactly the live records after it grows and shrinks, and a new run reads them', () =>
  withDir(async (dir) => {
    const file = PidRegistry.pathIn(dir);
    const pids = new PidRegistry(file);
    for (let i = 1; i <= 20; i++) pids.record(`s${i}`, { pid: 1000 + i, startTime: 5000 + i, ports: { primary: 40000 + i } });
    for (let i = 2; i <= 20; i++) pids.clear(`s${i}`, 1000 + i);
    pids.close();
    const text = await readFile(file, 'utf8');
    assert.deepEqual(JSON.parse(text), { s1: { pid: 1001, startTime: 5001, ports: { primary: 40001 } } });
    assert.equal(text, PidRegistry.format({ s1: { pid: 1001, startTime: 5001, ports: { primary: 40001 } } }));
    assert.deepEqual(new PidRegistry(file).get('s1'), { pid: 1001, startTime: 5001, ports: { primary: 40001 } });
  }));

test('a registry file cut inside a line still gives the next run every whole record', () =>
  withDir(async (dir) => {
    const file = PidRegistry.pathIn(dir);
    const whole = PidRegistry.format({
      a: { pid: 11, startTime: 1, ports: {} },
      b: { pid: 12, startTime: 2, ports: { primary: 4000 } },
    });
    await writeFile(file, `${whole.slice(0, whole.indexOf('"b"') + 12)}ki`);
    const pids = new PidRegistry(file);
    assert.deepEqual(pids.get('a'), { pid: 11, startTime: 1, ports: {} });
    assert.equal(pids.get('b'), undefined);
  }));
