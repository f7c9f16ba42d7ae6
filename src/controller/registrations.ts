// Specs reach the controller only as orchestrator.service.register events (from `nestor up`,
// the SDK or a service itself). This watcher follows the registrations addressed to its node
// from the moment it starts, validates each spec and hands valid ones to decide().
import { DeliverPolicy } from '@nats-io/jetstream';
import type { ConsumerMessages } from '@nats-io/jetstream';
import type { Bus } from '../bus/index.ts';
import { decode } from '../events/index.ts';
import { validateService } from '../spec/index.ts';
import type { Input } from './core/index.ts';

/** Where validated registrations and rejections go. */
export interface RegistrationHooks {
  onRegistered(input: Extract<Input, { kind: 'registered' }>): void;
  onRejected(service: string, errors: { path: string; expected: string; got?: unknown }[]): void;
  onError(err: unknown): void;
}

/** Follows register events for one node. */
export class RegistrationWatcher {
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly bus: Bus,
    private readonly node: string,
    private readonly hooks: RegistrationHooks,
  ) {}

  /** Subscribes; registrations published after this resolves are all seen. */
  async start(): Promise<void> {
    const info = await this.bus.jsm.streams.info(this.bus.streamName);
    const consumer = await this.bus.js.consumers.get(this.bus.streamName, {
      filter_subjects: `orchestrator.service.${this.node}.*.register`,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: info.state.last_seq + 1,
    });
    const messages = await consumer.consume();
    this.messages = messages;
    this.loop = this.run(messages);
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const m of messages) {
      const decoded = decode(m.data);
      if (!decoded.ok || decoded.event.type !== 'orchestrator.service.register') continue;
      const { service, spec, specVersion, specHash, enabled, ignoreDependencies } = decoded.event.data;
      try {
        const result = validateService(service, spec);
        if (!result.ok) {
          this.hooks.onRejected(service, result.errors);
          continue;
        }
        this.hooks.onRegistered({
          kind: 'registered',
          spec: result.spec,
          specVersion,
          specHash,
          enabled: enabled ?? true,
          ignoreDependencies: ignoreDependencies ?? false,
        });
      } catch (err) {
        this.hooks.onError(err);
      }
    }
  }

  /** Stops following. */
  async stop(): Promise<void> {
    this.messages?.stop();
    await this.loop;
  }
}
