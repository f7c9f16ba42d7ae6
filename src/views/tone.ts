// The colour family of each lifecycle state, one table for every renderer.
import type { LifecycleState } from '../state/index.ts';

/** Colour family of a state badge. */
export type Tone = 'ok' | 'warn' | 'error' | 'muted';

const TONES: Record<LifecycleState, Tone> = {
  pending: 'warn',
  starting: 'warn',
  running: 'warn',
  ready: 'ok',
  stopping: 'warn',
  stopped: 'muted',
  completed: 'ok',
  backoff: 'warn',
  failed: 'error',
  disabled: 'muted',
  lost: 'error',
};

/** Badge tone of a lifecycle state. */
export function toneOf(state: LifecycleState): Tone {
  return TONES[state];
}
