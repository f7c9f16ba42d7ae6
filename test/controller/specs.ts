// A complete daemon spec for the controller's pure tests: what validation would produce for a
// node command with a TCP probe and quick restarts; `over` replaces whole fields.
import type { ServiceSpec } from '../../src/spec/index.ts';

/** A valid daemon spec named `id`, with `over` on top. */
export function spec(id: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    id,
    displayName: id,
    description: '',
    required: false,
    kind: 'daemon',
    process: {
      command: 'node',
      args: [],
      env: {},
      shell: false,
      restartPolicy: 'on-failure',
      ensure: [],
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 1000,
    },
    restart: { immediateFirst: true, initialMs: 100, multiplier: 2, maxMs: 1000, jitter: 0, resetAfterMs: 60_000, maxRestarts: 3 },
    replicas: 1,
    portStrategy: 'random',
    ports: { additional: [] },
    logging: { maxBytes: 1 << 20, keep: 3, metadataIntervalMs: 10_000 },
    health: { type: 'tcp', endpoint: '127.0.0.1:1', expectedStatus: [200], intervalMs: 100, timeoutMs: 100, initialDelayMs: 0, failureThreshold: 1 },
    dependencies: [],
    profiles: [],
    ...over,
  };
}
