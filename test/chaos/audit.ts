// Audits a recorded event log against the supervision contract, one service at a time, by
// re-deriving the restart policy from the events alone (an independent model, written from
// docs/spec.md, not from src/controller/core):
//   - starts and exits alternate: a start never comes while the previous pid has no exit;
//   - every unexpected exit (and every start.failed) is followed, as the service's very next
//     lifecycle event, by exactly one decision: restart.scheduled or retries.exhausted;
//   - restart n waits min(max, initial × multiplier^(n−1)) (jitter 0, so exactly that); with
//     immediateFirst, restart 1 waits 0 and restart n ≥ 2 waits min(max, initial × multiplier^(n−2));
//   - n counts consecutive restarts: an exit after a run of at least resetAfter resets it to 0,
//     and so does an accepted start/restart/enable command;
//   - retries.exhausted comes exactly when n = maxRestarts, never before, and restart.scheduled
//     never after;
//   - each start's attempt is the n the model expects.
//
// The counting identity it checks, per service (E = exits, S = restart.scheduled,
// X = retries.exhausted, P = stops, i.e. exits with expected: true, F = start.failed):
//   E = P + U                      every exit is expected (we asked) or unexpected (it died)
//   S + X = U + F                  every failure gets exactly one decision
// hence E = S + X + P − F. With on-failure and processes that only die by SIGKILL or a non-zero
// exit code, "exits not restarted by policy" (a clean exit 0 under on-failure) is empty; the
// audit reports one as a problem rather than counting it.
import type { NestorEvent, Stored } from '../../src/events/index.ts';

/** The restart tuning of one service, as configured in its spec. */
export interface Tuning {
  immediateFirst: boolean;
  initialMs: number;
  multiplier: number;
  maxMs: number;
  resetAfterMs: number;
  /** null: unlimited. */
  maxRestarts: number | null;
}

/** Counts for one service. */
export interface Tally {
  starts: number;
  exits: number;
  stops: number;
  unexpected: number;
  scheduled: number;
  exhausted: number;
  startFailed: number;
  /** Exits after a stable run that reset a non-zero restart count. */
  resets: number;
  /** Highest restart number scheduled. */
  maxAttempt: number;
  /** Pid of the process that has a start and no exit yet, if any. */
  live: number | null;
}

/** The audit's outcome: tallies by service and every contract violation found. */
export interface Audit {
  tallies: Record<string, Tally>;
  problems: string[];
}

/** Delay of restart number `attempt` (1-based) with jitter 0. */
export function expectedDelay(attempt: number, t: Tuning): number {
  if (t.immediateFirst && attempt === 1) return 0;
  return Math.round(Math.min(t.maxMs, t.initialMs * t.multiplier ** (attempt - (t.immediateFirst ? 2 : 1))));
}

const RESETTING_COMMANDS = new Set(['orchestrator.command.start', 'orchestrator.command.restart', 'orchestrator.command.enable']);

/** Audits every service named in `tunings`; events of other services are ignored. */
export function auditLog(events: readonly Stored<NestorEvent>[], tunings: Record<string, Tuning>): Audit {
  const problems: string[] = [];
  const tallies: Record<string, Tally> = {};
  for (const [id, tuning] of Object.entries(tunings)) {
    const mine = events.filter((e) => (e.data as { service?: unknown }).service === id);
    tallies[id] = auditService(id, mine, tuning, problems);
  }
  return { tallies, problems };
}

type Of<T extends NestorEvent['type']> = Stored<Extract<NestorEvent, { type: T }>>;

/** The model of one service while its events are replayed. */
class ServiceModel {
  readonly tally: Tally = { starts: 0, exits: 0, stops: 0, unexpected: 0, scheduled: 0, exhausted: 0, startFailed: 0, resets: 0, maxAttempt: 0, live: null };
  /** Consecutive restarts made, as the contract defines them. */
  attempt = 0;
  /** A failure still waiting for its restart decision. */
  awaiting: Stored<NestorEvent> | null = null;

  constructor(
    private readonly id: string,
    private readonly t: Tuning,
    private readonly problems: string[],
  ) {}

  problem(e: Stored<NestorEvent>, what: string): void {
    this.problems.push(`${this.id} #${e.seq} ${e.type}: ${what}`);
  }

  onStart(e: Of<'orchestrator.service.start'>): void {
    if (this.tally.live !== null) this.problem(e, `pid ${e.data.pid} started while pid ${this.tally.live} had no exit`);
    if (e.data.attempt !== this.attempt) this.problem(e, `attempt ${e.data.attempt}, the model expects ${this.attempt}`);
    this.tally.live = e.data.pid;
    this.tally.starts++;
  }

  onExit(e: Of<'orchestrator.service.exit'>): void {
    const tally = this.tally;
    if (tally.live !== e.data.pid) this.problem(e, `exit of pid ${e.data.pid} but the live pid is ${tally.live}`);
    tally.live = null;
    tally.exits++;
    if (e.data.runtimeMs >= this.t.resetAfterMs) {
      if (this.attempt > 0) tally.resets++;
      this.attempt = 0;
    }
    if (e.data.expected) {
      tally.stops++;
      return;
    }
    tally.unexpected++;
    if (e.data.code === 0 && e.data.signal === null) this.problem(e, 'a clean exit, which on-failure does not restart (not expected in this run)');
    this.awaiting = e;
  }

  onScheduled(e: Of<'orchestrator.service.restart.scheduled'>): void {
    const { t } = this;
    if (this.awaiting === null) this.problem(e, 'no failure before it');
    this.awaiting = null;
    if (t.maxRestarts !== null && this.attempt >= t.maxRestarts) this.problem(e, `restart ${this.attempt + 1} scheduled although maxRestarts is ${t.maxRestarts}`);
    this.attempt++;
    if (e.data.attempt !== this.attempt) this.problem(e, `attempt ${e.data.attempt}, the model expects ${this.attempt}`);
    const want = expectedDelay(this.attempt, t);
    if (e.data.delayMs !== want) this.problem(e, `delay ${e.data.delayMs} ms for attempt ${this.attempt}, the formula gives ${want} ms`);
    this.tally.scheduled++;
    this.tally.maxAttempt = Math.max(this.tally.maxAttempt, e.data.attempt);
  }

  onExhausted(e: Of<'orchestrator.service.retries.exhausted'>): void {
    const { t, attempt } = this;
    if (this.awaiting === null) this.problem(e, 'no failure before it');
    this.awaiting = null;
    if (t.maxRestarts === null || attempt !== t.maxRestarts) this.problem(e, `gave up after ${attempt} restarts, maxRestarts is ${t.maxRestarts}`);
    if (e.data.attempts !== attempt || e.data.maxRestarts !== t.maxRestarts) {
      this.problem(e, `reports attempts ${e.data.attempts}/${e.data.maxRestarts}, the model has ${attempt}/${t.maxRestarts}`);
    }
    this.tally.exhausted++;
  }
}

const DECISIONS = new Set(['orchestrator.service.restart.scheduled', 'orchestrator.service.retries.exhausted']);
// Published on their own schedule (throttled output metadata, probe changes), so they may come
// between an exit and its decision without meaning anything for the policy.
const ASIDES = new Set(['orchestrator.service.log', 'orchestrator.service.health']);

function auditService(id: string, events: readonly Stored<NestorEvent>[], t: Tuning, problems: string[]): Tally {
  const m = new ServiceModel(id, t, problems);
  for (const e of events) {
    if (ASIDES.has(e.type)) continue;
    if (m.awaiting !== null && !DECISIONS.has(e.type)) {
      m.problem(m.awaiting, `not followed by a restart decision (next was #${e.seq} ${e.type})`);
      m.awaiting = null;
    }
    if (RESETTING_COMMANDS.has(e.type)) m.attempt = 0;
    if (e.type === 'orchestrator.service.start') m.onStart(e);
    else if (e.type === 'orchestrator.service.exit') m.onExit(e);
    else if (e.type === 'orchestrator.service.restart.scheduled') m.onScheduled(e);
    else if (e.type === 'orchestrator.service.retries.exhausted') m.onExhausted(e);
    else if (e.type === 'orchestrator.service.start.failed') {
      m.tally.startFailed++;
      m.awaiting = e;
    }
  }
  if (m.awaiting !== null) m.problem(m.awaiting, 'the log ends without its restart decision');
  const { exits, scheduled, exhausted, stops, startFailed } = m.tally;
  if (exits !== scheduled + exhausted + stops - startFailed) {
    problems.push(`${id}: exits ${exits} ≠ scheduled ${scheduled} + exhausted ${exhausted} + stops ${stops} − start.failed ${startFailed}`);
  }
  return m.tally;
}
