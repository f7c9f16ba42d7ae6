// Chaos: a few hundred SIGKILLs at random moments across alpha, beta (which needs alpha) and a
// crash-looping alpha, plus the odd restart command, with a seeded PRNG (the seed is printed;
// CHAOS_SEED=<n> replays the same choices). Afterwards the recorded events are audited against
// the restart policy (./audit.ts), /proc is checked for duplicate instances throughout, and the
// stack must come back: alpha and beta ready, the crash looper failed after exactly maxRestarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHarness } from '../../src/harness/index.ts';
import type { Harness } from '../../src/harness/index.ts';
import { getService } from '../../src/state/index.ts';
import { allocatePort } from '../../src/process/index.ts';
import { demo } from '../supervision/support.ts';
import { auditLog } from './audit.ts';
import type { Tuning } from './audit.ts';
import { between, chaosSeed, mulberry32 } from './prng.ts';
import type { Rng } from './prng.ts';
import { isLiveChild, killChild, liveServiceChildren } from './procs.ts';
import { sampleProcesses } from './sampler.ts';

// Restart tuning with jitter 0, so every delay is exactly the formula's.
const steady: Tuning = { immediateFirst: true, initialMs: 5, multiplier: 2, maxMs: 20, resetAfterMs: 200, maxRestarts: null };
const looping: Tuning = { immediateFirst: true, initialMs: 5, multiplier: 2, maxMs: 20, resetAfterMs: 60_000, maxRestarts: 3 };

function backoff(t: Tuning): Record<string, unknown> {
  return {
    backoff: { immediateFirst: t.immediateFirst, initial: t.initialMs, multiplier: t.multiplier, max: t.maxMs, jitter: 0, resetAfter: t.resetAfterMs },
    maxRestarts: t.maxRestarts ?? 'unlimited',
  };
}

/** How each service is attacked: kills per run, and how the moment of each kill is chosen. */
interface Plan {
  id: string;
  kills: number;
  /** Probability of waiting for a stable run (past resetAfter) before killing. */
  stableRate: number;
  /** Probability of a restart command instead of a kill. */
  restartRate: number;
  /** Upper bound of the random delay before a quick kill. */
  quickMaxMs: number;
  /** Probability of sparing the victim: waiting for it to die on its own (the crash looper). */
  spareRate: number;
  /** Revive with a start command once it has given up (the crash looper). */
  revive: boolean;
  tuning: Tuning;
}

interface Outcome {
  killed: number[];
  commands: { verb: string; ok: boolean }[];
  revivals: number;
  spared: number;
}

async function storm(h: Harness, plan: Plan, rng: Rng, signal: AbortSignal): Promise<Outcome> {
  const out: Outcome = { killed: [], commands: [], revivals: 0, spared: 0 };
  const { id } = plan;
  while (out.killed.length < plan.kills && !signal.aborted) {
    const st = await h.waitUntil(`${id} has a process${plan.revive ? ' or has failed' : ''}`, (s) => {
      const svc = getService(s, id);
      return svc?.pid != null || (plan.revive && svc?.state === 'failed');
    });
    const svc = getService(st, id);
    if (svc === undefined) throw new Error(`${id} vanished`);
    if (svc.pid === null) {
      const reply = await h.command('start', id);
      assert.equal(reply.ok, true, `start after give-up: ${JSON.stringify(reply)}`);
      out.revivals++;
      await h.waitUntil(`${id} revived`, (s) => getService(s, id)?.state !== 'failed');
      continue;
    }
    const pid = svc.pid;
    const roll = rng();
    if (roll < plan.restartRate) {
      const reply = await h.command('restart', id);
      out.commands.push({ verb: 'restart', ok: reply.ok });
      // A refused restart (the service was still starting) changes nothing; no exit to wait for.
      if (reply.ok) await h.waitForEvent('orchestrator.service.exit', (e) => e.data.pid === pid);
      continue;
    }
    // These sleeps are the stimulus, not a synchronisation: they choose how long the victim
    // lives, which decides whether its exit resets the restart count.
    if (roll < plan.restartRate + plan.stableRate) {
      const startedAt = Date.parse(svc.startedAt ?? '') || Date.now();
      await sleep(Math.max(0, startedAt + plan.tuning.resetAfterMs + 50 - Date.now()));
    } else {
      await sleep(between(rng, 0, plan.quickMaxMs));
    }
    if (roll >= 1 - plan.spareRate) out.spared++;
    else if (killChild(pid)) out.killed.push(pid);
    await h.waitForEvent('orchestrator.service.exit', (e) => e.data.pid === pid);
  }
  return out;
}

/** Runs the storms side by side; on the first failure the others stop before it is rethrown. */
async function runStorms(h: Harness, plans: Plan[], rng: Rng): Promise<Map<string, Outcome>> {
  const abort = new AbortController();
  const runs = plans.map((p) =>
    storm(h, p, mulberry32(Math.floor(rng() * 0xffffffff)), abort.signal).catch((err: unknown) => {
      abort.abort();
      throw err;
    }),
  );
  const settled = await Promise.allSettled(runs);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return new Map(plans.map((p, i) => [p.id, (settled[i] as PromiseFulfilledResult<Outcome>).value]));
}

test('a SIGKILL storm: every exit is an event, backoff and maxRestarts are obeyed, never two instances', async (t) => {
  const seed = chaosSeed();
  t.diagnostic(`chaos seed ${seed} (replay the same choices with CHAOS_SEED=${seed})`);
  const rng = mulberry32(seed);
  // alpha keeps one fixed port so beta, started before or after any alpha restart, always
  // finds it; a random port would strand a beta started while alpha was down.
  const alphaPort = await allocatePort();
  const fixed = { portStrategy: 'fixed', ports: { primary: { port: alphaPort, protocol: 'http' } } };
  await using h = await createHarness({
    name: 'kill-storm',
    specs: {
      alpha: demo('alpha', { spec: { ...fixed, ...backoff(steady) } }),
      beta: demo('beta', { spec: backoff(steady) }),
      crashy: demo('alpha', { args: ['--crash-after', '30'], spec: { ...backoff(looping), health: undefined } }),
    },
  });
  t.after(() => h.close());
  await h.waitForState('beta', 'ready', { timeoutMs: 20_000 });

  const sampling = new AbortController();
  const sampler = sampleProcesses(sampling.signal);
  const t0 = performance.now();
  // No restart commands for beta: a restarted service waits in pending for its dependencies,
  // and alpha, killed over and over, may take a while to be ready again.
  const plans: Plan[] = [
    { id: 'alpha', kills: 80, stableRate: 0.15, restartRate: 0.05, quickMaxMs: 30, spareRate: 0, revive: false, tuning: steady },
    { id: 'beta', kills: 80, stableRate: 0.15, restartRate: 0, quickMaxMs: 30, spareRate: 0, revive: false, tuning: steady },
    { id: 'crashy', kills: 60, stableRate: 0, restartRate: 0, quickMaxMs: 150, spareRate: 0.4, revive: true, tuning: looping },
  ];
  let outcomes: Map<string, Outcome>;
  try {
    outcomes = await runStorms(h, plans, rng);
    // Recovery: no more chaos; the steady services come back and the looper gives up again.
    await h.waitForState('alpha', 'ready', { timeoutMs: 20_000 });
    await h.waitForState('beta', 'ready', { timeoutMs: 20_000 });
    await h.waitForState('crashy', 'failed', { timeoutMs: 20_000 });
  } finally {
    sampling.abort();
  }
  const stormMs = Math.round(performance.now() - t0);
  const seen = await sampler;

  const events = h.events();
  const { tallies, problems } = auditLog(events, { alpha: steady, beta: steady, crashy: looping });
  assert.deepEqual(problems, [], `seed ${seed}: the event log breaks the restart contract`);

  // Every kill is an exit event with that pid; every pid ever started has exited, but for the
  // one live process of each steady service, which is the pid the state shows.
  const exitedPids = new Set(events.flatMap((e) => (e.type === 'orchestrator.service.exit' ? [e.data.pid] : [])));
  for (const [id, out] of outcomes) {
    const missing = out.killed.filter((pid) => !exitedPids.has(pid));
    assert.deepEqual(missing, [], `seed ${seed}: ${id} processes killed without an exit event`);
  }
  for (const id of ['alpha', 'beta']) {
    const live = tallies[id]?.live ?? null;
    assert.equal(live, h.service(id).pid, `${id}: the audit's live pid is the state's`);
    assert.ok(live !== null && isLiveChild(live), `${id}: its one process is alive`);
  }
  assert.equal(tallies.crashy?.live, null);
  assert.equal(h.service('crashy').restarts > 0, true);

  // The kernel's view, sampled throughout: never two live processes of one service.
  assert.deepEqual(seen.overlaps, [], `seed ${seed}: a service had two live processes`);
  const now = liveServiceChildren();
  assert.deepEqual([...now.keys()].sort(), ['alpha', 'beta']);
  assert.ok([...now.values()].every((pids) => pids.length === 1));

  // The storm really exercised what the audit checks.
  assert.ok((tallies.crashy?.exhausted ?? 0) >= 2, 'the crash looper gave up more than once');
  assert.ok((tallies.alpha?.resets ?? 0) + (tallies.beta?.resets ?? 0) > 0, 'a stable run reset the restart count');
  assert.ok((tallies.alpha?.maxAttempt ?? 0) >= 3, 'consecutive quick kills reached the capped delay');

  const startedPids = events.flatMap((e) => (e.type === 'orchestrator.service.start' ? [e.data.pid] : []));
  const summary = {
    seed,
    stormMs,
    kills: Object.fromEntries([...outcomes].map(([id, o]) => [id, o.killed.length])),
    restartCommands: [...outcomes.values()].flatMap((o) => o.commands).length,
    revivals: outcomes.get('crashy')?.revivals,
    crashyOwnCrashes: events.filter((e) => e.type === 'orchestrator.service.exit' && e.data.service === 'crashy' && e.data.code === 1).length,
    tallies,
    samples: seen.samples,
    maxPerService: seen.maxPerService,
  };
  t.diagnostic(`chaos summary ${JSON.stringify(summary)}`);

  // Cleanup is complete: once the harness is closed, nothing it ever started is left.
  await h.close();
  assert.deepEqual(startedPids.filter((pid) => isLiveChild(pid)), [], 'processes left after close');
});
