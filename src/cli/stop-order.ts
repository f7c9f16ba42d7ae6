// Keeps the foreground `nestor up` readable while it stops the stack. The progress lines
// (`beta stopping → stopped`) come from events, one broker round trip after the controller
// decided; a service's own output (`alpha | alpha: SIGTERM, shutting down`) comes straight from
// its pipe. So alpha, signalled the moment beta's exit was decided, used to print before beta's
// `→ stopped` had come back as an event, which reads as if the order of the stop were wrong.
//
// The simplest correct fix is on the printing side, not in the controller: once stopping, a
// service's lines are held until the progress display has printed that service leaving
// starting/running/ready. A service is signalled only after the controller decided to stop it,
// and that decision is published after every event decided before it (one ordered outbox), so
// by the time its `→ stopping` is printed, everything that happened before its signal has been
// printed too. Lines of a service that is already stopping pass straight through, so a slow
// shutdown still shows its output live; anything still held is printed when the stop ends.
import type { LifecycleState, State } from '../state/index.ts';

/** States in which the controller has not yet decided to stop a service. */
const NOT_YET_STOPPING = new Set<LifecycleState>(['starting', 'running', 'ready']);

/** Service output that, once the stack is stopping, waits for the progress lines before it. */
export class StopOrderedOutput {
  private holding = false;
  private readonly held = new Map<string, string[]>();
  private readonly released = new Set<string>();

  constructor(private readonly print: (line: string) => void) {}

  /** A console line of `service`: printed now, or held while its stop is not printed yet. */
  write(line: string, service: string): void {
    if (!this.holding || this.released.has(service)) return this.print(line);
    const lines = this.held.get(service);
    if (lines === undefined) this.held.set(service, [line]);
    else lines.push(line);
  }

  /** The stack starts stopping: from now on output waits for its service's stop to be printed. */
  stopping(): void {
    this.holding = true;
  }

  /** Call after the progress lines of each event are printed, with the state they showed. */
  shown(state: State): void {
    if (!this.holding) return;
    for (const svc of Object.values(state.services)) {
      if (!NOT_YET_STOPPING.has(svc.state)) this.release(svc.id);
    }
  }

  /** Prints everything held and stops holding (the stop is over, or its events stopped coming). */
  flush(): void {
    this.holding = false;
    for (const service of [...this.held.keys()]) this.release(service);
  }

  private release(service: string): void {
    this.released.add(service);
    const lines = this.held.get(service);
    this.held.delete(service);
    for (const line of lines ?? []) this.print(line);
  }
}
