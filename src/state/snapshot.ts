// Snapshots: a state plus the last stream sequence it includes. Restoring one and replaying the
// events after throughSeq gives exactly the state of a full replay (docs/events.md, *Snapshots
// and replay*); events at or below
// throughSeq are skipped by the reducer, so an overlapping tail is harmless.
import type { Stored } from '../events/index.ts';
import { SnapshotError } from './errors.ts';
import { reduceAll } from './reduce.ts';
import { REDUCER_VERSION } from './types.ts';
import type { Snapshot, State } from './types.ts';

/** Captures a state. States are never mutated, so the snapshot shares structure with it. */
export function takeSnapshot(state: State): Snapshot {
  return { version: REDUCER_VERSION, throughSeq: state.seq, state };
}

/** The state held by a snapshot (for example one parsed from the KV store); throws SnapshotError if it is not one. */
export function restoreSnapshot(snap: unknown): State {
  if (typeof snap !== 'object' || snap === null) throw new SnapshotError('shape', 'not an object');
  const { version, throughSeq, state } = snap as Partial<Snapshot>;
  if (version !== REDUCER_VERSION) {
    throw new SnapshotError('version', `reducer version ${String(version)} is not this reducer's ${REDUCER_VERSION}`);
  }
  if (typeof throughSeq !== 'number' || !Number.isInteger(throughSeq) || throughSeq < 0) {
    throw new SnapshotError('shape', 'throughSeq must be a non-negative integer');
  }
  if (typeof state !== 'object' || state === null) throw new SnapshotError('shape', 'state missing');
  const { services, nodes, counters } = state;
  if (typeof services !== 'object' || services === null || typeof nodes !== 'object' || nodes === null) {
    throw new SnapshotError('shape', 'state.services and state.nodes must be objects');
  }
  if (typeof counters !== 'object' || counters === null) throw new SnapshotError('shape', 'state.counters missing');
  if (state.seq !== throughSeq) throw new SnapshotError('shape', `state.seq ${state.seq} differs from throughSeq ${throughSeq}`);
  return state;
}

/** Restores a snapshot and applies the events after its throughSeq: equal to replaying everything. */
export function replayFrom(snapshot: Snapshot, events: Iterable<Stored>): State {
  return reduceAll(events, restoreSnapshot(snapshot));
}
