// Membership against the real lease bucket (one nats-server) seen through a fault injector
// that can lose the answer of a write that landed and serve a read from before the latest
// write: the cases a real cluster produces only by bad luck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectBus } from '../../src/bus/index.ts';
import type { LeaseEntry, LeaseRecord, Leases, LeaseWrite } from '../../src/bus/index.ts';
import { Membership } from '../../src/cluster/index.ts';
import { testConfig } from '../bus/helpers.ts';
import type { After } from '../bus/helpers.ts';

const TIMINGS = { heartbeatMs: 50, ttlMs: 400, fenceAfterMs: 200 };

/** The real bucket, with answers that can be lost and reads that can be stale. */
class FaultyLeases implements Leases {
  /** Updates still to apply and then fail as if their answer was lost. */
  loseAnswers = 0;
  /** Gets still to answer with the value before the latest write. */
  staleGets = 0;
  private readonly previous = new Map<string, LeaseRecord | null>();
  private readonly latest = new Map<string, LeaseRecord>();

  constructor(private readonly real: Leases) {}

  async create(key: string, value: unknown): Promise<LeaseWrite> {
    const before = await this.real.get(key);
    const w = await this.real.create(key, value);
    if (w.ok) this.remember(key, before);
    return w;
  }

  async update(key: string, value: unknown, expectedRevision: number): Promise<LeaseWrite> {
    const before = await this.real.get(key);
    const w = await this.real.update(key, value, expectedRevision);
    if (w.ok) this.remember(key, before);
    if (w.ok && this.loseAnswers > 0) {
      this.loseAnswers--;
      throw new Error('TIMEOUT');
    }
    return w;
  }

  /** Writes over whatever is there, as another node's declaration would. */
  async overwrite(key: string, value: unknown): Promise<void> {
    const current = await this.real.get(key);
    if (current === null) throw new Error(`no ${key} to overwrite`);
    const w = await this.update(key, value, current.revision);
    assert.ok(w.ok);
  }

  async get(key: string): Promise<LeaseRecord | null> {
    if (this.staleGets > 0 && this.previous.has(key)) {
      this.staleGets--;
      return this.previous.get(key) ?? null;
    }
    return this.real.get(key);
  }

  watch(onEntry: (entry: LeaseEntry) => void, onError?: (err: unknown) => void): Promise<() => void> {
    return this.real.watch(onEntry, onError);
  }

  delete(key: string, expectedRevision?: number): Promise<boolean> {
    return this.real.delete(key, expectedRevision);
  }

  async current(key: string): Promise<LeaseRecord> {
    const r = await this.real.get(key);
    if (r === null) throw new Error(`no ${key}`);
    return r;
  }

  private remember(key: string, before: LeaseRecord | null): void {
    this.previous.set(key, before);
  }
}

async function realLeases(t: After): Promise<FaultyLeases> {
  const config = await testConfig(t, { node: 'solo' }, 'membership-answers');
  const bus = await connectBus(config);
  t.after(() => bus.close());
  return new FaultyLeases(await bus.leases());
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
  const leases = await realLeases(t);
  const hooks: string[] = [];
  const m = await start(t, leases, hooks);
  leases.loseAnswers = 1;
  const before = (await leases.current('solo')).revision;
  const deadline = performance.now() + 5_000;
  while ((await leases.current('solo')).revision <= before + 3 && performance.now() < deadline) await sleep(10);
  assert.ok((await leases.current('solo')).revision > before + 3, 'renewals went on');
  assert.equal(((await leases.current('solo')).value as { incarnation: string }).incarnation, m.incarnation);
  assert.ok(!hooks.includes('onFenced'), hooks.join());
});

test('a stale read after a refused renewal is not taken as a declaration; the declaration is reported once', async (t) => {
  const leases = await realLeases(t);
  const hooks: string[] = [];
  const m = await start(t, leases, hooks);
  const first = m.incarnation;
  await leases.overwrite('solo', { ...((await leases.current('solo')).value as object), state: 'down', declaredBy: 'other' });
  leases.staleGets = 2;
  const deadline = performance.now() + 5_000;
  while (!hooks.includes('onRejoined') && performance.now() < deadline) await sleep(10);
  assert.deepEqual(hooks.filter((h) => h !== 'onFence' && h !== 'onRecovered'), ['onFenced', 'onRejoined']);
  assert.notEqual(m.incarnation, first);
  assert.equal(((await leases.current('solo')).value as { state: string }).state, 'alive');
});
