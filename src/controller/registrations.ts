// Specs reach the controller only as orchestrator.service.register events (from `nestor up`,
// the SDK or a service itself). This watcher follows the registrations addressed to its node
// from the moment it starts, validates each spec and hands valid ones to decide().
import { followEvents } from '../bus/index.ts';
import type { BusReader, ReadResult } from '../bus/index.ts';
import { registerSubject } from '../events/index.ts';
import type { ServiceRegistered } from '../events/index.ts';
import { validateService } from '../spec/index.ts';
import type { Input } from './core/index.ts';

/** Where validated registrations and rejections go. */
export interface RegistrationHooks {
  /** A valid registration, with the node that published it. */
  onRegistered(input: Extract<Input, { kind: 'registered' }>, origin: string): void;
  onRejected(service: string, errors: { path: string; expected: string; got?: unknown }[]): void;
  onError(err: unknown): void;
}

/** Follows register events for one node. */
export class RegistrationWatcher {
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly bus: BusReader,
    private readonly node: string,
    private readonly hooks: RegistrationHooks,
  ) {}

  /** Subscribes; registrations published after this resolves are all seen. */
  async start(): Promise<void> {
    // Starting right after the last stored sequence: whatever is published from here on is
    // read, however long the consumer takes to be created.
    const fromSeq = (await this.bus.lastSeq()) + 1;
    const filter = registerSubject(this.node, '*');
    const follow = followEvents(this.bus, { fromSeq, filter, signal: this.abort.signal });
    // The consumer is created by the first read, in the loop: a failure there is reported
    // rather than left as an unhandled rejection.
    this.loop = this.run(follow).catch((err: unknown) => {
      if (!this.abort.signal.aborted) this.hooks.onError(err);
    });
  }

  private async run(results: AsyncIterable<ReadResult>): Promise<void> {
    for await (const r of results) {
      if (!r.ok || r.event.type !== 'orchestrator.service.register') continue;
      try {
        const result = registrationOf(r.event);
        if (!result.ok) {
          this.hooks.onRejected(r.event.data.service, result.errors);
          continue;
        }
        this.hooks.onRegistered(result.input, r.event.origin.node);
      } catch (err) {
        this.hooks.onError(err);
      }
    }
  }

  /** Stops following. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}

/** A register event as the controller's input, or the problems of its spec. */
export function registrationOf(
  e: ServiceRegistered,
): { ok: true; input: Extract<Input, { kind: 'registered' }> } | { ok: false; errors: { path: string; expected: string; got?: unknown }[] } {
  const { service, spec, specVersion, specHash, enabled, ignoreDependencies } = e.data;
  const result = validateService(service, spec);
  if (!result.ok) return { ok: false, errors: result.errors };
  return {
    ok: true,
    input: { kind: 'registered', spec: result.spec, specVersion, specHash, enabled: enabled ?? true, ignoreDependencies: ignoreDependencies ?? false },
  };
}
