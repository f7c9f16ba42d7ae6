// A small seeded PRNG, so a chaos run's decisions (which service, when, kill or command) replay
// from a printed seed. Timing still varies between runs; the seed fixes the choices.
import { randomInt } from 'node:crypto';

/** A uniform source in [0, 1). */
export type Rng = () => number;

/** mulberry32: 32-bit state, good enough to spread test decisions. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from CHAOS_SEED when set (to replay a failure), otherwise a fresh random one. */
export function chaosSeed(env: NodeJS.ProcessEnv = process.env): number {
  const fixed = env.CHAOS_SEED;
  if (fixed !== undefined && fixed !== '') {
    const n = Number(fixed);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`CHAOS_SEED must be an integer in 0..4294967295, got ${JSON.stringify(fixed)}`);
    return n;
  }
  return randomInt(0, 0xffffffff);
}

/** An integer in [min, max]. */
export function between(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}
