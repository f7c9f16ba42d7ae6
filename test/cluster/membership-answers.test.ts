// Membership against an in-memory lease bucket that can lose answers and serve stale reads:
// the cases a real cluster produces only by bad luck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LeaseEntry, LeaseRecord, Leases, LeaseWrite } from '../../src/bus/index.ts';
import { Membership } from '../../src/cluster/index.ts';
import type { After } from '../bus/helpers.ts';

const TIMINGS = { heartbeatMs: 50, ttlMs: 400, fenceAfterMs: 200 };

class MemoryLeases implements Leases {
  private readonly data = new Map<string, LeaseRecord>();
  private revision = 0;
  private readonly watchers = new Set<(e: LeaseEntry) => void>();
  /** Updates still to apply and then fail as if their answer was lost. */
  loseAnswers = 0;
  /** Gets still to answer with the value before the latest write. */
  staleGets = 0;
  private previous = new Map<string, LeaseRecord | null>();

  create(key: string, value: unknown): Promise<LeaseWrite> {
    if (this.data.has(key)) return Promise.resolve({ ok: false, reason: 'exists' });
    return Promise.resolve(this.write(key, value));
  }

  update(key: string, value: unknown, expectedRevision: number): Promise<LeaseWrite> {
    if (this.data.get(key)?.revision !== expectedRevision) return Promise.resolve({ ok: false, reason: 'wrong-revision' });
    const result = this.write(key, value);
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      return Promise.reject(new Error('TIMEOUT'));
    }
    return Promise.resolve(result);
  }

  /** Writes without a check, as another node's declaration would. */
  write(key: string, value: unknown): LeaseWrite {
    this.previous.set(key, this.data.get(key) ?? null);
    const record = { value: structuredClone(value), revision: ++this.revision, serverTime: new Date() };
    this.data.set(key, record);
    for (const w of this.watchers) w({ key, ...record, deleted: false });
    return { ok: true, revision: record.revision };
  }

  get(key: string): Promise<LeaseRecord | null> {
    if (this.staleGets > 0 && this.previous.has(key)) {
      this.staleGets--;
      return Promise.resolve(this.previous.get(key) ?? null);
    }
    return Promise.resolve(this.data.get(key) ?? null);
  }

  watch(onEntry: (e: LeaseEntry) => void): Promise<() => void> {
    for (const [key, r] of this.data) onEntry({ key, ...r, deleted: false });
    this.watchers.add(onEntry);
    return Promise.resolve(() => this.watchers.delete(onEntry));
  }

  delete(key: string): Promise<void> {
    this.data.delete(key);
    return Promise.resolve();
  }

  current(key: string): LeaseRecord | undefined {
    return this.data.get(key);
  }
}

async function start(t: After, leases: Leases, hooks: string[]): Promise<Membership> {
  const log = (name: string) => () => void hooks.push(name);
  const m = await Membership.start({
    bus: { leases: () => Promise.resolve(leases) },
    node: 'solo',
    address: 'solo:1',
    api: 'http://solo:1',
    ...TIMINGS,
    hooks: { onFence: log('onFence'), onFenced: log('onFenced'), onRejoined: log('onRejoined'), onRecovered: log('onRecovered') },
  });
  t.after(() => m.stop({ silent: true }));
  return m;
}

test('a renewal that landed but whose answer was lost is taken as this node\'s own, not as a declaration', async (t) => {
  const leases = new MemoryLeases();
  const hooks: string[] = [];
  const m = await start(t, leases, hooks);
  leases.loseAnswers = 1;
  const before = leases.current('solo')!.revision;
  const deadline = performance.now() + 5_000;
  while (leases.current('solo')!.revision <= before + 3 && performance.now() < deadline) await sleep(10);
  assert.ok(leases.current('solo')!.revision > before + 3, 'renewals went on');
  assert.equal((leases.current('solo')!.value as { incarnation: string }).incarnation, m.incarnation);
  assert.ok(!hooks.includes('onFenced'), hooks.join());
});

test('a stale read after a refused renewal is not taken as a declaration; the declaration is reported once', async (t) => {
  const leases = new MemoryLeases();
  const hooks: string[] = [];
  const m = await start(t, leases, hooks);
  const first = m.incarnation;
  leases.staleGets = 2;
  leases.write('solo', { ...(leases.current('solo')!.value as object), state: 'down', declaredBy: 'other' });
  const deadline = performance.now() + 5_000;
  while (!hooks.includes('onRejoined') && performance.now() < deadline) await sleep(10);
  assert.deepEqual(hooks.filter((h) => h !== 'onFence' && h !== 'onRecovered'), ['onFenced', 'onRejoined']);
  assert.notEqual(m.incarnation, first);
  assert.equal((leases.current('solo')!.value as { state: string }).state, 'alive');
});
